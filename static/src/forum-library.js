// -- the library page, kept live (linked by /library alone) -----------------------------------
// forum.js holds the socket and subscribes to the list's data-live-channel ("library"); this
// file places what arrives. A new item that matches the page's kind, tag and channel goes at
// the top of a newest-first list and is announced politely; where it might not sort first or
// match the words, a notice offers to show the new items. Changed rows are replaced in place.
// Without JavaScript the page is the same list, current on each load.
(function () {
  "use strict";

  var list = document.getElementById("library-items");
  if (!list || !list.dataset.liveChannel) return;
  var news = document.getElementById("library-news");
  var viewerMeta = document.querySelector('meta[name="viewer"]');
  var moderator = viewerMeta && viewerMeta.dataset.moderator === "yes";
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var waiting = {};  // item ids the notice counts

  var announce = window.forumAnnounce;  // from forum.js, linked before this file

  function matches(data) {
    var kind = list.dataset.kind, tag = list.dataset.tag, channel = list.dataset.inChannel;
    return (!kind || data.kind === kind) && (!tag || data.tags.indexOf(tag) >= 0) &&
      (!channel || data.channels.indexOf(channel) >= 0);
  }

  function row(html) {
    var template = document.createElement("template");
    template.innerHTML = html.trim();  // rendered and sanitised by the server
    var item = template.content.firstElementChild;
    var form = item.querySelector("form[data-moderators-only]");
    if (form && moderator && csrfMeta) {
      form.querySelector('input[name="csrf_token"]').value = csrfMeta.content;
      form.hidden = false;
    }
    return item;
  }

  function showNotice(data) {
    waiting[data.item_id] = true;
    var count = Object.keys(waiting).length;
    var text = count === 1 ? "1 new item in the library." : count + " new items in the library.";
    var url = new URL(window.location.href);
    url.searchParams.delete("cursor");
    news.querySelector("span").textContent = text;
    news.querySelector("a").href = url.pathname + url.search;
    news.hidden = false;
    announce(text);
  }

  function added(data) {
    if (!matches(data)) return;
    if (list.dataset.liveMode !== "insert") { showNotice(data); return; }
    if (list.querySelector("#library-item-" + data.item_id)) return;  // a replay after a reconnect
    var empty = list.querySelector("li.empty");
    if (empty) empty.remove();
    list.insertBefore(row(data.html), list.firstElementChild);
    announce("New in the library: " + data.title);
  }

  function updated(data) {
    document.querySelectorAll(".library-item").forEach(function (old) {
      if (old.id === "library-item-" + data.item_id) old.replaceWith(row(data.html));
    });
  }

  document.addEventListener("forum:live-event", function (event) {
    var frame = event.detail;
    if (frame.channel !== list.dataset.liveChannel) return;
    if (frame.event === "thread.created") added(frame.data);
    else if (frame.event === "library.updated") updated(frame.data);
  });
})();
