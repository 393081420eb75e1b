// -- a private conversation's page, kept live (linked by the conversation pages alone) -------
// Without JavaScript the pages work with plain forms; with it, messages arrive without a
// reload, are announced politely, are marked read as they arrive, and "X is typing" shows.
(function () {
  "use strict";

  var viewerMeta = document.querySelector('meta[name="viewer"]');
  var me = viewerMeta ? viewerMeta.content : null;
  var list = document.getElementById("messages");
  var form = document.getElementById("message-form");
  var TYPING_SEND_EVERY_MS = 2500;

  // forum.js (linked before this file) shares these.
  var announce = window.forumAnnounce, api = window.forumPostJson, showCount = window.forumShowMessageCount;

  // An older page keeps its place: new messages belong on the latest page.
  var live = list && !list.hasAttribute("data-older-page");
  var conversationUrl = list ? "/api/v1/conversations/" + list.dataset.conversationId : null;

  function addMessage(data) {
    if (document.getElementById("message-" + data.id)) return; // already there (sent from here)
    var template = document.createElement("template");
    template.innerHTML = data.fragment.trim(); // rendered and sanitised by the server
    list.appendChild(template.content.firstElementChild);
    if (data.author !== me) {
      announce("New message from " + data.author_display_name);
      api(conversationUrl + "/read", { up_to: data.id }).then(function (result) {
        if (result.ok) showCount(result.data.unread);
      }).catch(function () { /* counted again on the next page */ });
    }
  }

  document.addEventListener("forum:live-event", function (event) {
    var frame = event.detail;
    if (frame.event === "message.created" && live && frame.channel === list.dataset.channel) {
      addMessage(frame.data);
    }
  });

  if (!live || !form) return;
  var area = form.querySelector("textarea"), lastTyping = 0;
  var problem = document.createElement("p");
  problem.className = "form-error";
  problem.setAttribute("role", "alert");
  problem.hidden = true;
  form.insertBefore(problem, form.firstChild);

  area.addEventListener("input", function () {
    var now = Date.now();
    if (now - lastTyping < TYPING_SEND_EVERY_MS) return;
    lastTyping = now;
    document.dispatchEvent(new CustomEvent("forum:send-typing", { detail: list.dataset.channel }));
  });

  function send() {
    if (!area.value.trim()) return;
    problem.hidden = true;
    api(conversationUrl + "/messages", { body: area.value }).then(function (result) {
      if (!result.ok) throw new Error(result.data.error ? result.data.error.message : "The message was not sent.");
      area.value = "";
      form.dispatchEvent(new CustomEvent("composer:sent"));
      area.focus();
    }).catch(function (error) {
      problem.textContent = error.message; // what was typed stays in the box
      problem.hidden = false;
    });
  }
  form.addEventListener("submit", function (event) { event.preventDefault(); send(); });
})();
