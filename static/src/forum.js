// Live updates on top of pages that already work without JavaScript: one WebSocket, resumed
// from the last event id after a drop, applying server-rendered fragments in place.
(function () {
  "use strict";

  var body = document.body;
  var viewerMeta = document.querySelector('meta[name="viewer"]');
  var viewer = viewerMeta ? { username: viewerMeta.content, moderator: viewerMeta.dataset.moderator === "yes" } : null;
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var announcer = document.getElementById("live-announcer");
  var posts = document.getElementById("posts");
  var threadList = document.getElementById("thread-list");
  var channels = [];
  document.querySelectorAll("[data-live-channel], [data-channel], [data-event-channel]").forEach(function (el) {
    var name = el.dataset.liveChannel || el.dataset.channel || el.dataset.eventChannel;
    if (channels.indexOf(name) < 0) channels.push(name);
  });

  // Reconnect delays grow from 1 s to 30 s, each drawn from half to all of its step. A server
  // shutting down closes every page's socket at once with 1012 ("service restart"): the first
  // tries are then spread over RESTART_SPREAD_MS, or ten thousand pages would knock within the
  // same half second (bench/restart.py measures it).
  var RETRY_FIRST_MS = 1000, RETRY_MAX_MS = 30000, RESTART_SPREAD_MS = 10000, SERVICE_RESTART = 1012;
  var TYPING_SEND_EVERY_MS = 2500, TYPING_SHOW_MS = 6000;

  var lastId = Number(body.dataset.lastEventId || 0);
  var socket = null, retries = 0;

  function fragment(html) {
    var template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content.firstElementChild;
  }

  function announce(text) {
    if (!announcer) return;
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = text; }, 50);
  }

  // A JSON POST to the API as the signed-in member (cookie and CSRF token): {ok, data}.
  function postJson(url, payload) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfMeta ? csrfMeta.content : "" },
      body: JSON.stringify(payload)
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    });
  }

  // For the page scripts (forum-messages.js, forum-library.js, linked after this file, and so
  // run after it) and the blocks below.
  window.forumAnnounce = announce;
  window.forumPostJson = postJson;

  function revealOwnControls(root) {
    if (!viewer || !root) return;
    if (root.dataset.author === viewer.username || viewer.moderator) {
      root.querySelectorAll(".owner-only").forEach(function (el) { el.hidden = false; });
    }
    if (root.dataset.author !== viewer.username) { // one flags others' posts, not one's own
      root.querySelectorAll(".others-only").forEach(function (el) { el.hidden = false; });
    }
    if (viewer.moderator) {
      root.querySelectorAll(".moderator-only").forEach(function (el) { el.hidden = false; });
    }
  }

  // -- "N new replies" for readers who have scrolled away ------------------------------
  var unseen = [];
  var marker = document.getElementById("new-replies");
  function updateMarker() {
    if (!marker) return;
    marker.hidden = unseen.length === 0;
    marker.textContent = unseen.length === 1 ? "1 new reply" : unseen.length + " new replies";
  }
  var watcher = "IntersectionObserver" in window ? new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (entry.isIntersecting) {
        unseen = unseen.filter(function (el) { return el !== entry.target; });
        watcher.unobserve(entry.target);
        updateMarker();
      }
    });
  }) : null;
  if (marker) {
    marker.addEventListener("click", function () {
      var first = unseen[0];
      if (!first) return;
      first.setAttribute("tabindex", "-1");
      first.scrollIntoView({ block: "center" });
      first.focus();
    });
  }

  // -- thread page ----------------------------------------------------------------------
  function insertPost(el) {
    var path = el.dataset.path, before = null;
    var existing = posts.querySelectorAll("article.post");
    for (var i = 0; i < existing.length; i++) {
      if (existing[i].dataset.path > path) { before = existing[i]; break; }
    }
    if (!before && document.querySelector('.pager a[rel="next"]')) return false; // on a later page
    posts.insertBefore(el, before);
    return true;
  }

  function markNew(el) {
    el.classList.add("is-new");
    var label = document.createElement("span");
    label.className = "badge new-badge";
    label.textContent = "New";
    el.querySelector(".post-head").appendChild(label);
  }

  function onThreadEvent(frame) {
    var data = frame.data, current = document.getElementById("post-" + data.post_id);
    if (frame.event === "post.created") {
      if (current) return;
      var el = fragment(data.html);
      revealOwnControls(el);
      if (!viewer || data.author !== viewer.username) markNew(el); // one's own is not news
      if (insertPost(el)) {
        var box = el.getBoundingClientRect();
        if ((box.top > window.innerHeight || box.bottom < 0) && data.author !== (viewer && viewer.username)) {
          unseen.push(el);
          if (watcher) watcher.observe(el);
          updateMarker();
        }
      }
      stopTyping(data.author); // their reply has landed: no need to wait out the timer
      var name = el.querySelector(".author");
      announce("New reply from " + (name ? name.textContent : data.author));
    } else if (/^post\.(edited|deleted|hidden|restored)$/.test(frame.event) && current) {
      var replacement = fragment(data.html);
      revealOwnControls(replacement);
      current.replaceWith(replacement);
    } else if (frame.event === "thread.locked" || frame.event === "thread.unlocked") {
      showLocked(frame.event === "thread.locked");
      announce(frame.event === "thread.locked" ? "A moderator locked this thread." : "This thread was unlocked.");
    }
  }

  // A lock reaches the page at once: the reply form stops sending and keeps what was typed;
  // an unlock gives it back. Moderators may reply to a locked thread, so theirs stays.
  function showLocked(locked) {
    var notice = document.getElementById("lock-notice"), box = document.querySelector(".reply-box");
    var replyForm = document.getElementById("reply-form");
    if (notice) notice.hidden = !locked;
    if (viewer && viewer.moderator) return;
    if (box && !locked) box.hidden = false;
    if (!replyForm) return;
    var note = replyForm.querySelector(".locked-note");
    if (locked && !note) {
      note = document.createElement("p");
      note.className = "notice locked-note";
      note.setAttribute("role", "status");
      note.textContent = notice ? notice.textContent : "This thread is locked.";
      replyForm.prepend(note);
    } else if (!locked && note) {
      note.remove();
    }
    replyForm.dataset.locked = locked ? "yes" : "";
    replyForm.querySelector("textarea").readOnly = locked;
    replyForm.querySelector('button[type="submit"]').disabled = locked;
  }

  // -- channel page and home ------------------------------------------------------------
  function placeRow(row) {
    var old = document.getElementById(row.id);
    if (old) old.remove();
    var empty = threadList.querySelector(".empty");
    if (empty) empty.remove();
    if (row.classList.contains("pinned")) { threadList.prepend(row); return; }
    var firstUnpinned = threadList.querySelector(".thread-row:not(.pinned)");
    threadList.insertBefore(row, firstUnpinned);
  }

  // -- Welcome: introductions waiting for a first reply ------------------------------------
  // A new introduction joins the list; the first reply takes it off. Same rule as the page
  // (forum/db/threads.py waiting_introductions).
  function updateWaiting(frame) {
    var section = document.getElementById("waiting-welcome");
    var list = document.getElementById("waiting-list");
    if (!section || !list) return;
    var id = "waiting-" + frame.data.thread_id;
    var existing = document.getElementById(id);
    if (frame.event === "thread.created" && frame.data.introduction && !existing) {
      var link = fragment(frame.data.html).querySelector("a[href^='/t/']");
      var item = document.createElement("li");
      item.id = id;
      var a = document.createElement("a");
      a.href = link ? link.getAttribute("href") : "/t/" + frame.data.thread_id;
      a.textContent = frame.data.title;
      item.appendChild(a);
      item.appendChild(document.createTextNode(" · just now"));
      list.appendChild(item);
    } else if (frame.event === "post.created" && existing) {
      existing.remove();
    }
    section.hidden = list.children.length === 0;
  }

  function onChannelEvent(frame) {
    var data = frame.data;
    if (frame.event === "member.joined") {
      var joined = document.getElementById("just-joined");
      if (joined && viewer) {  // the server sends it to members only; never show it signed out
        joined.textContent = frame.data.display_name + " just joined. Say hello when they introduce themselves!";
      }
      return;
    }
    if (frame.channel === "category:welcome") updateWaiting(frame);
    if (threadList && threadList.dataset.liveChannel === frame.channel) {
      var slug = frame.channel.slice("category:".length);
      if (frame.event === "thread.moved" && data.to.indexOf(slug) < 0) {
        var gone = document.getElementById("thread-" + data.thread_id);
        if (gone) gone.remove();
      } else if (frame.event === "thread.locked" || frame.event === "thread.unlocked") {
        var row = document.getElementById("thread-" + data.thread_id);
        if (row) row.replaceWith(fragment(data.html));
      } else if (data.html) {
        placeRow(fragment(data.html));
        if (frame.event === "thread.created") announce("New thread: " + data.title);
      }
    }
    var card = document.querySelector('[data-channel="' + frame.channel + '"] .thread-count');
    if (card && (frame.event === "thread.created" || frame.event === "thread.moved")) {
      var count = Number(card.textContent.split(" ")[0]) + (frame.event === "thread.created" ? 1 : 0);
      if (frame.event === "thread.moved") count += data.to.indexOf(frame.channel.slice(9)) >= 0 ? 1 : -1;
      card.textContent = count + (count === 1 ? " thread" : " threads");
    }
  }

  // -- notifications -------------------------------------------------------------------
  function onNotification(frame) {
    var link = document.getElementById("notifications-link");
    if (!link) return;
    var count = link.querySelector(".notification-count");
    if (!count) {
      count = document.createElement("span");
      count.className = "notification-count";
      link.appendChild(document.createTextNode(" "));
      link.appendChild(count);
    }
    count.textContent = String(frame.data.unread);
    var hidden = document.createElement("span");
    hidden.className = "visually-hidden";
    hidden.textContent = " unread";
    count.appendChild(hidden);
    announce("Notification: " + frame.data.text);
  }

  // -- the site banner -------------------------------------------------------------------
  function onSiteEvent(frame) {
    var holder = document.getElementById("site-banner");
    if (!holder) return;
    holder.textContent = "";
    if (frame.event === "banner.set") {
      var banner = fragment(frame.data.html);
      var token = banner.querySelector('input[name="csrf_token"]');
      if (token && csrfMeta) token.value = csrfMeta.content;
      holder.appendChild(banner);
      announce("Announcement: " + frame.data.text);
    }
  }

  // -- events: seats left, kept current on every page that shows them ---------------------
  // Same words as templates/events/_seats.html.
  function fullText(reserve) {
    if (!reserve) return "Full";
    return "Full: " + reserve + (reserve === 1 ? " person" : " people") + " on the reserve list";
  }

  function onEventUpdated(data) {
    document.querySelectorAll('.seats-left[data-event-id="' + data.event_id + '"]').forEach(function (el) {
      var capacity = el.dataset.capacity;
      el.textContent = data.cancelled ? "Cancelled: no registrations"
        : !capacity ? data.registered + " registered, no seat limit"
        : data.seats_left === 0 ? fullText(data.reserve)
        : data.seats_left + " of " + capacity + " seat" + (capacity === "1" ? "" : "s") + " left";
    });
    // Same choice as templates/events/_panel.html: a full event offers its reserve list.
    document.querySelectorAll('[data-register-for="' + data.event_id + '"]').forEach(function (button) {
      if (data.cancelled) button.closest("form").remove(); // a cancelled event takes nobody
      else button.textContent = data.seats_left === 0 ? "Join the reserve list" : "Register";
    });
    if (data.cancelled) announce("This event has been cancelled.");
  }

  // -- typing and presence --------------------------------------------------------------
  var typingLine = document.getElementById("typing"), typers = {};
  function showTyping(frame) {
    if (!typingLine || (viewer && frame.user === viewer.username)) return;
    window.clearTimeout(typers[frame.user] && typers[frame.user].timer);
    typers[frame.user] = { name: frame.display_name || frame.user, timer: window.setTimeout(function () {
      delete typers[frame.user];
      renderTyping();
    }, TYPING_SHOW_MS) };
    renderTyping();
  }
  function stopTyping(user) {
    if (!typers[user]) return;
    window.clearTimeout(typers[user].timer);
    delete typers[user];
    renderTyping();
  }
  function renderTyping() {
    var names = Object.keys(typers).map(function (k) { return typers[k].name; });
    typingLine.textContent = names.length === 0 ? "" : names.length === 1 ? names[0] + " is typing…" : names.join(", ") + " are typing…";
  }
  var presenceLine = document.getElementById("presence");
  function showPresence(frame) {
    if (!presenceLine || !posts || frame.channel !== posts.dataset.liveChannel) return;
    var names = (frame.members || []).map(function (m) { return m.display_name; });
    presenceLine.textContent = names.length ? "Here now: " + names.join(", ") : "";
  }

  // -- the socket -----------------------------------------------------------------------
  function handle(frame) {
    if (frame.type === "event") {
      if (frame.id <= lastId) return;
      lastId = frame.id;
      document.dispatchEvent(new CustomEvent("forum:live-event", { detail: frame }));
      if (frame.channel === "site") onSiteEvent(frame);
      else if (frame.channel.indexOf("user:") === 0) { if (frame.event === "notification.created") onNotification(frame); }
      else if (frame.channel.indexOf("conversation:") === 0) return; // the messages block below
      else if (frame.event === "event.updated") onEventUpdated(frame.data);
      else if (frame.channel.indexOf("thread:") === 0) { if (posts) onThreadEvent(frame); }
      else onChannelEvent(frame);
    } else if (frame.type === "subscribed") {
      retries = 0;
      lastId = Math.max(lastId, frame.last_id);
    } else if (frame.type === "reset") {
      window.location.reload();
    } else if (frame.type === "typing") {
      showTyping(frame);
    } else if (frame.type === "presence") {
      showPresence(frame);
    }
  }

  function connect() {
    socket = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws");
    socket.onopen = function () {
      socket.send(JSON.stringify({ type: "subscribe", channels: channels, since: lastId }));
    };
    socket.onmessage = function (message) {
      try { handle(JSON.parse(message.data)); } catch (error) { /* a bad frame is skipped */ }
    };
    socket.onclose = function (event) {
      window.setTimeout(connect, reconnectDelay(retries++, event.code, Math.random));
    };
  }
  // bench/ws-client/restart.mjs reconnects its readers with a copy of this function (and of the
  // constants above); tests/test_reconnect_policy.py keeps the two the same.
  function reconnectDelay(attempt, closeCode, random) {
    if (attempt === 0 && closeCode === SERVICE_RESTART) {
      return RETRY_FIRST_MS / 2 + random() * (RESTART_SPREAD_MS - RETRY_FIRST_MS / 2);
    }
    var step = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * Math.pow(2, attempt));
    return step * (0.5 + random() / 2);
  }
  if (channels.length && "WebSocket" in window) connect();
  // Other blocks (the conversation page) show typing through the one socket.
  document.addEventListener("forum:send-typing", function (event) {
    if (socket && socket.readyState === 1) socket.send(JSON.stringify({ type: "typing", channel: event.detail }));
  });

  // -- relative times: "5 minutes ago", the exact time kept on hover ---------------------
  var REFRESH_TIMES_MS = 30000;
  var UNITS = [["year", 31536000], ["month", 2592000], ["week", 604800], ["day", 86400],
               ["hour", 3600], ["minute", 60], ["second", 1]];
  var relativeFormat = window.Intl && Intl.RelativeTimeFormat ? new Intl.RelativeTimeFormat("en-GB", { numeric: "auto" }) : null;
  var exactFormat = window.Intl ? new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short" }) : null;
  var EVENT_TIME_FORMAT = { weekday: "short", day: "numeric", month: "short", year: "numeric",
                            hour: "2-digit", minute: "2-digit", timeZoneName: "short" };

  function relativeTime(date) {
    var seconds = (date.getTime() - Date.now()) / 1000;
    if (Math.abs(seconds) < 45) return "just now";
    for (var i = 0; i < UNITS.length; i++) {
      if (Math.abs(seconds) >= UNITS[i][1]) return relativeFormat.format(Math.trunc(seconds / UNITS[i][1]), UNITS[i][0]);
    }
    return "just now";
  }
  function showTime(el) {
    var date = new Date(el.getAttribute("datetime"));
    if (isNaN(date.getTime())) return;
    if (el.hasAttribute("data-absolute")) { // an event's date: absolute, in the reader's time zone
      var local = date.toLocaleString(undefined, EVENT_TIME_FORMAT);
      if (el.textContent !== local) el.textContent = local;
      return;
    }
    if (!el.title && exactFormat) el.title = exactFormat.format(date);
    var text = relativeTime(date);
    if (el.textContent !== text) el.textContent = text;
  }
  function showTimes(root) {
    if (root.matches && root.matches("time[datetime]")) showTime(root);
    if (root.querySelectorAll) root.querySelectorAll("time[datetime]").forEach(showTime);
  }
  if (relativeFormat) {
    showTimes(document);
    window.setInterval(function () { showTimes(document); }, REFRESH_TIMES_MS);
    // Fragments inserted live (replies, thread rows) carry <time> elements too.
    new MutationObserver(function (records) {
      records.forEach(function (record) {
        record.addedNodes.forEach(function (node) { if (node.nodeType === 1) showTimes(node); });
      });
    }).observe(body, { childList: true, subtree: true });
  }

  // -- drafts: what is typed in a composer survives leaving the page and coming back --------
  // One draft per composer: its form's action (a thread's replies, a channel's new thread,
  // a post's edit) and the post it answers. Forgotten once the server has taken the text.
  var DRAFT_PREFIX = "forum-draft:", DRAFT_SENT = "forum-draft-sent";
  function draftKey(composer) {
    var parent = composer.querySelector('input[name="parent_id"]');
    return DRAFT_PREFIX + composer.getAttribute("action") + (parent && parent.value ? "#" + parent.value : "");
  }
  function draftStore(kind) { // storage can be switched off, or full
    try { return window[kind]; } catch (error) { return null; }
  }
  function loadDraft(key) {
    var store = draftStore("localStorage");
    return store ? store.getItem(key) : null;
  }
  function saveDraft(key, text) {
    var store = draftStore("localStorage");
    try {
      if (!store) return;
      if (text.trim()) store.setItem(key, text); else store.removeItem(key);
    } catch (error) { /* full: the draft is simply not kept */ }
  }
  // A plain form's send leaves the page: the next page tells whether it was taken. Back on
  // the same composer means the server answered with an error and kept the text.
  function forgetSentDraft() {
    var session = draftStore("sessionStorage"), sent = session && session.getItem(DRAFT_SENT);
    if (!sent) return;
    session.removeItem(DRAFT_SENT);
    var back = Array.prototype.some.call(document.querySelectorAll("form.composer"), function (composer) {
      return draftKey(composer) === sent;
    });
    if (!back) saveDraft(sent, "");
  }
  // On a shared computer the next person to sign in must not find what this one was writing.
  function forgetAllDrafts() {
    var store = draftStore("localStorage"), session = draftStore("sessionStorage");
    if (session) session.removeItem(DRAFT_SENT);
    if (!store) return;
    for (var i = store.length - 1; i >= 0; i--) { // backwards: removing shifts what follows
      var key = store.key(i);
      if (key && key.indexOf(DRAFT_PREFIX) === 0) store.removeItem(key);
    }
  }
  document.addEventListener("submit", function (event) {
    var target = event.target;
    if (target.method === "post" && new URL(target.action, location.href).pathname === "/logout") {
      forgetAllDrafts();
    }
  });
  function keepDraft(composer, area) {
    var saved = loadDraft(draftKey(composer));
    if (saved !== null) area.value = saved;
    area.addEventListener("input", function () { saveDraft(draftKey(composer), area.value); });
    composer.addEventListener("composer:sent", function () { saveDraft(draftKey(composer), ""); });
    if (composer.id === "reply-form") return; // sends in place: composer:sent says it was taken
    composer.addEventListener("submit", function () {
      var session = draftStore("sessionStorage");
      if (session) session.setItem(DRAFT_SENT, draftKey(composer));
    });
  }

  // -- every composer: a Markdown preview, and Ctrl+Enter to send ---------------------------
  var PREVIEW_DELAY_MS = 400;
  function setUpComposer(composer) {
    var area = composer.querySelector("textarea");
    if (!area) return;
    var tools = document.createElement("div");
    tools.className = "composer-tools";
    var toggle = document.createElement("button");
    toggle.type = "button";
    toggle.className = "secondary preview-toggle";
    toggle.textContent = "Preview";
    toggle.setAttribute("aria-expanded", "false");
    var hint = document.createElement("span");
    hint.className = "help";
    hint.textContent = "Ctrl+Enter sends";
    var panel = document.createElement("div");
    panel.className = "preview post-body";
    panel.id = (area.id || "body") + "-preview";
    panel.setAttribute("role", "region");
    panel.setAttribute("aria-label", "Preview");
    panel.hidden = true;
    toggle.setAttribute("aria-controls", panel.id);
    tools.appendChild(toggle);
    tools.appendChild(hint);
    area.after(tools, panel);

    var timer = null, asked = 0;
    function render() {
      var ticket = ++asked;
      postJson("/api/v1/preview", { body: area.value }).then(function (result) {
        if (ticket !== asked || panel.hidden) return; // a newer preview is on its way
        if (!result.ok) throw new Error(result.data.error ? result.data.error.message : "No preview.");
        // The server's HTML is sanitised exactly as a stored post's is.
        panel.innerHTML = result.data.html || '<p class="placeholder">Nothing to preview yet.</p>';
      }).catch(function (error) {
        if (ticket === asked) panel.textContent = "Preview unavailable: " + error.message;
      });
    }
    function show(open) {
      panel.hidden = !open;
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      if (open) render();
    }
    toggle.addEventListener("click", function () { show(panel.hidden); });
    area.addEventListener("input", function () {
      if (panel.hidden) return;
      window.clearTimeout(timer);
      timer = window.setTimeout(render, PREVIEW_DELAY_MS);
    });
    composer.addEventListener("composer:sent", function () { show(false); });
    keepDraft(composer, area);
    suggestMentions(area);
    if (composer.id !== "reply-form") { // the thread page's reply form sends without a reload
      area.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
          event.preventDefault();
          if (composer.requestSubmit) composer.requestSubmit(); else composer.submit();
        }
      });
    }
  }

  // -- @name suggestions while typing: a listbox under the textarea, by keyboard or pointer --
  var SUGGEST_DELAY_MS = 200, SUGGEST_MAX = 6, suggestCount = 0;
  function suggestMentions(area) {
    var list = document.createElement("ul");
    list.className = "mention-suggestions";
    list.id = "mention-suggestions-" + (++suggestCount);
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Members to mention");
    list.hidden = true;
    area.after(list);
    area.setAttribute("aria-autocomplete", "list");
    area.setAttribute("aria-controls", list.id);
    var options = [], active = -1, timer = null, asked = 0;

    function partial() {
      var before = area.value.slice(0, area.selectionStart);
      var match = /(^|[^\w@.+-])@([A-Za-z0-9_-]{1,30})$/.exec(before);
      return match ? match[2] : null;
    }
    function close() {
      list.hidden = true;
      list.textContent = "";
      options = [];
      active = -1;
      area.removeAttribute("aria-activedescendant");
    }
    function highlight(index) {
      active = index;
      options.forEach(function (option, i) { option.setAttribute("aria-selected", i === index ? "true" : "false"); });
      if (options[index]) area.setAttribute("aria-activedescendant", options[index].id);
    }
    function choose(username) {
      var start = area.selectionStart, typed = partial();
      if (typed === null) return close();
      var from = start - typed.length;
      area.value = area.value.slice(0, from) + username + " " + area.value.slice(start);
      area.selectionStart = area.selectionEnd = from + username.length + 1;
      close();
      area.focus();
    }
    function lookUp() {
      var typed = partial();
      if (!typed) return close();
      var ticket = ++asked;
      fetch("/api/v1/users?sort=name&q=" + encodeURIComponent(typed), { credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          if (ticket !== asked) return;
          var found = (data.users || []).slice(0, SUGGEST_MAX);
          if (!found.length) return close();
          list.textContent = "";
          options = found.map(function (user, i) {
            var option = document.createElement("li");
            option.id = list.id + "-" + i;
            option.setAttribute("role", "option");
            option.dataset.username = user.username;
            option.textContent = user.display_name + " (@" + user.username + ")";
            option.addEventListener("mousedown", function (event) { event.preventDefault(); choose(user.username); });
            list.appendChild(option);
            return option;
          });
          list.hidden = false;
          highlight(0);
        }).catch(close);
    }
    area.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(lookUp, SUGGEST_DELAY_MS);
    });
    area.addEventListener("keydown", function (event) {
      if (list.hidden) return;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        var step = event.key === "ArrowDown" ? 1 : -1;
        highlight((active + step + options.length) % options.length);
      } else if ((event.key === "Enter" || event.key === "Tab") && !event.ctrlKey && !event.metaKey && options[active]) {
        event.preventDefault();
        event.stopImmediatePropagation();
        choose(options[active].dataset.username);
      } else if (event.key === "Escape") {
        event.preventDefault();
        event.stopImmediatePropagation();
        close();
      }
    });
    area.addEventListener("blur", function () { window.setTimeout(close, 150); });
  }

  forgetSentDraft();
  document.querySelectorAll("form.composer").forEach(setUpComposer);

  // -- composing on the thread page -----------------------------------------------------
  var form = document.getElementById("reply-form");
  if (!form || !posts) return;
  var textarea = form.querySelector("textarea"), parentInput = form.querySelector('input[name="parent_id"]');
  var home = form.parentNode, homeNext = form.nextSibling, lastTyping = 0;
  var formError = document.createElement("p");
  formError.className = "form-error";
  formError.setAttribute("role", "alert");
  formError.hidden = true;
  form.insertBefore(formError, form.firstChild);

  textarea.addEventListener("input", function () {
    var now = Date.now();
    if (socket && socket.readyState === 1 && now - lastTyping > TYPING_SEND_EVERY_MS) {
      lastTyping = now;
      socket.send(JSON.stringify({ type: "typing", channel: posts.dataset.liveChannel }));
    }
  });

  posts.addEventListener("click", function (event) {
    var link = event.target.closest(".reply-link");
    if (!link) return;
    event.preventDefault();
    openUnder(link.closest("article.post"));
    textarea.focus();
  });

  function openUnder(post) {
    replyLink = post.querySelector(".reply-link");
    switchDraft(function () { parentInput.value = post.dataset.postId; });
    post.after(form);
  }

  // Each place the box can sit keeps its own draft; text typed where there was none
  // moves with the box, as it did before drafts were kept.
  function switchDraft(move) {
    var from = draftKey(form);
    move();
    var to = draftKey(form), saved = loadDraft(to);
    if (from === to) return;
    if (saved !== null) {
      textarea.value = saved;
    } else if (textarea.value.trim()) {
      saveDraft(to, textarea.value);
      saveDraft(from, "");
    }
  }

  // An answer to a post left half written opens under that post again.
  function reopenDraftedAnswer() {
    if (textarea.value) return;
    var prefix = draftKey(form) + "#";
    var store = draftStore("localStorage");
    for (var i = 0; store && i < store.length; i++) {
      var key = store.key(i), post = key.indexOf(prefix) === 0 && document.getElementById("post-" + key.slice(prefix.length));
      if (post && post.querySelector(".reply-link")) { openUnder(post); return; }
    }
  }

  // Back under the thread after an inline reply (sent, or Escape), focus back on its Reply link.
  var replyLink = null;
  function putBack() {
    var link = replyLink;
    replyLink = null;
    switchDraft(function () { parentInput.value = ""; });
    home.insertBefore(form, homeNext);
    if (link && document.contains(link)) link.focus();
  }

  function submit() {
    var text = textarea.value;
    if (form.dataset.locked) return;
    if (!text.trim()) { textarea.focus(); return; }
    var button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    postJson("/api/v1/threads/" + posts.dataset.threadId + "/posts", {
      body: text, parent_id: parentInput.value ? Number(parentInput.value) : null
    }).then(function (result) {
      if (!result.ok) throw new Error(result.data.error ? result.data.error.message : "Could not post.");
      textarea.value = "";
      formError.hidden = true;
      form.dispatchEvent(new CustomEvent("composer:sent"));
      // The box stays where it is, empty and focused, ready for more (it used to go home
      // under the thread, which dropped focus to the page body).
      textarea.focus();
    }).catch(function (error) {
      formError.textContent = error.message + " Your text is still here.";
      formError.hidden = false;
    }).then(function () { button.disabled = Boolean(form.dataset.locked); });
  }
  form.addEventListener("submit", function (event) { event.preventDefault(); submit(); });
  textarea.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); submit(); }
    else if (event.key === "Escape" && replyLink) { event.preventDefault(); putBack(); }
  });
  reopenDraftedAnswer();
})();

// -- reactions: toggled through the API without a reload; counts kept live ----------------
// Without JavaScript each button submits the page's reaction form, which toggles on the server.
(function () {
  "use strict";

  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var viewerMeta = document.querySelector('meta[name="viewer"]');
  var me = viewerMeta ? viewerMeta.content : null;
  var announce = window.forumAnnounce;
  var posts = document.getElementById("posts");
  if (!posts) return;

  function labelOf(button) {
    var label = button.querySelector(".visually-hidden");
    return label ? label.textContent : button.value;
  }

  // The live bar is the same for every reader: which reactions are this reader's is kept
  // from the bar it replaces, or taken from the event when the reader made it.
  function replaceBar(postId, html, mine) {
    var old = posts.querySelector('[data-reactions-for="' + postId + '"]');
    if (!old) return;
    var template = document.createElement("template");
    template.innerHTML = html.trim();
    var bar = template.content.firstElementChild;
    var focused = document.activeElement && old.contains(document.activeElement) ? document.activeElement : null;
    bar.querySelectorAll(".reaction-button").forEach(function (button) {
      var before = old.querySelector('.reaction .reaction-button[value="' + button.value + '"]');
      var pressed = mine.hasOwnProperty(button.value) ? mine[button.value]
        : before && before.getAttribute("aria-pressed") === "true";
      button.setAttribute("aria-pressed", pressed ? "true" : "false");
    });
    // An open picker stays open, with the reader's focus where it was.
    var open = old.querySelector(".reaction-picker");
    if (open) {
      open.querySelectorAll(".reaction-button").forEach(function (button) {
        if (mine.hasOwnProperty(button.value)) button.setAttribute("aria-pressed", mine[button.value] ? "true" : "false");
      });
      bar.appendChild(open);
      var add = bar.querySelector(".reaction-add");
      if (add) add.setAttribute("aria-expanded", "true");
    }
    old.replaceWith(bar);
    if (focused && !bar.contains(focused)) {
      var again = bar.querySelector('.reaction .reaction-button[value="' + focused.value + '"]') || bar.querySelector(".reaction-add");
      if (again) again.focus();
    }
  }

  // "React" offers the six in place (without JavaScript it is a page of its own).
  var picker = document.getElementById("reaction-picker");
  posts.addEventListener("click", function (event) {
    var add = event.target.closest(".reaction-add");
    if (!add || !me || !picker) return;
    event.preventDefault();
    var bar = add.closest("[data-reactions-for]");
    var open = bar.querySelector(".reaction-picker");
    if (open) { open.remove(); add.setAttribute("aria-expanded", "false"); return; }
    var choices = picker.content.firstElementChild.cloneNode(true);
    choices.querySelectorAll(".reaction-button").forEach(function (button) {
      button.setAttribute("formaction", "/p/" + bar.dataset.reactionsFor + "/react");
      var given = bar.querySelector('.reaction .reaction-button[value="' + button.value + '"]');
      if (given) button.setAttribute("aria-pressed", given.getAttribute("aria-pressed"));
    });
    add.setAttribute("aria-expanded", "true");
    bar.appendChild(choices);
    choices.querySelector(".reaction-button").focus();
  });

  posts.addEventListener("click", function (event) {
    var button = event.target.closest(".reaction-button");
    if (!button || !me || !csrfMeta) return; // visitors: the form leads to the log-in page
    event.preventDefault();
    var postId = button.closest("[data-reactions-for]").dataset.reactionsFor;
    var emoji = button.value;
    var on = button.getAttribute("aria-pressed") !== "true";
    fetch("/api/v1/posts/" + postId + "/reactions/" + encodeURIComponent(emoji), {
      method: on ? "PUT" : "DELETE", credentials: "same-origin",
      headers: { "X-CSRF-Token": csrfMeta.content }
    }).then(function (response) {
      if (!response.ok) {
        return response.json().then(function (data) { announce(data.error ? data.error.message : "That did not work."); });
      }
      // The live event redraws the bar for every page, this one too.
      button.setAttribute("aria-pressed", on ? "true" : "false");
      announce((on ? "You reacted: " : "Reaction taken back: ") + labelOf(button));
    }).catch(function () { announce("The forum could not be reached; try again."); });
  });

  document.addEventListener("forum:live-event", function (event) {
    var frame = event.detail;
    if (frame.event !== "post.reacted") return;
    var data = frame.data, mine = {};
    if (data.by === me) mine[data.emoji] = data.added;
    replaceBar(data.post_id, data.reactions_html, mine);
    if (data.by !== me && data.added) {
      var button = posts.querySelector('[data-reactions-for="' + data.post_id + '"] .reaction-button[value="' + data.emoji + '"]');
      announce(data.by + " reacted: " + (button ? labelOf(button) : data.emoji));
    }
  });
})();



// -- Search suggestions under the header box: an ARIA 1.2 combobox with a listbox of threads
// and members. Nothing is picked until an arrow key moves onto one, so Enter alone still
// sends the form to /search, exactly as without JavaScript.
(function () {
  "use strict";

  var box = document.getElementById("header-q");
  if (!box || !window.fetch) return;
  // Asked after a pause in typing, not per key: a fast typist sends one request, not ten.
  var ASK_AFTER_MS = 250, CLOSE_AFTER_BLUR_MS = 150, SHORTEST = 2;

  var list = document.createElement("ul");
  list.id = "search-suggestions";
  list.className = "search-suggestions";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "Suggestions");
  list.hidden = true;
  var status = document.createElement("p");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  box.after(list, status);
  box.setAttribute("role", "combobox");
  box.setAttribute("aria-autocomplete", "list");
  box.setAttribute("aria-expanded", "false");
  box.setAttribute("aria-controls", list.id);
  box.setAttribute("autocomplete", "off");

  var options = [], active = -1, timer = null, asked = 0;

  function close() {
    list.hidden = true;
    list.textContent = "";
    options = [];
    active = -1;
    box.setAttribute("aria-expanded", "false");
    box.removeAttribute("aria-activedescendant");
  }
  function highlight(index) {
    active = index;
    options.forEach(function (option, i) { option.setAttribute("aria-selected", i === index ? "true" : "false"); });
    if (options[index]) {
      box.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    }
  }
  function option(kind, text, url) {
    var item = document.createElement("li");
    item.id = list.id + "-" + options.length;
    item.setAttribute("role", "option");
    item.setAttribute("aria-selected", "false");
    item.dataset.url = url;
    var label = document.createElement("span");
    label.className = "suggestion-kind";
    label.textContent = kind + ": ";
    item.append(label, text);
    // mousedown, not click: the box keeps focus, so its blur does not close the list first.
    item.addEventListener("mousedown", function (event) { event.preventDefault(); window.location.assign(url); });
    list.appendChild(item);
    options.push(item);
  }
  function show(data) {
    close();
    (data.threads || []).forEach(function (t) { option("Thread", t.title, t.url); });
    (data.members || []).forEach(function (m) { option("Member", m.display_name + " (@" + m.username + ")", m.url); });
    if (!options.length) { status.textContent = ""; return; }
    list.hidden = false;
    box.setAttribute("aria-expanded", "true");
    status.textContent = options.length + (options.length === 1 ? " suggestion" : " suggestions") +
      ": arrow down to choose, Enter to search";
  }
  function ask() {
    var typed = box.value.trim();
    if (typed.length < SHORTEST) { status.textContent = ""; return close(); }
    var ticket = ++asked;
    fetch("/api/v1/search/suggest?q=" + encodeURIComponent(typed), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : {}; })
      .then(function (data) { if (ticket === asked) show(data); })
      .catch(close);
  }

  box.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, ASK_AFTER_MS);
  });
  box.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      if (!list.hidden) { event.preventDefault(); close(); }
      return;
    }
    if (list.hidden) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      var step = event.key === "ArrowDown" ? 1 : -1;
      var start = active < 0 && step < 0 ? options.length : active;
      highlight((start + step + options.length) % options.length);
    } else if (event.key === "Enter" && options[active]) {
      event.preventDefault();
      window.location.assign(options[active].dataset.url);
    }
  });
  box.addEventListener("blur", function () { window.setTimeout(close, CLOSE_AFTER_BLUR_MS); });
})();

// -- private messages: the header's count, kept live on every page (the conversation page
// itself is forum-messages.js, linked by those pages alone).
(function () {
  "use strict";

  var list = document.getElementById("messages");
  var live = list && !list.hasAttribute("data-older-page");

  function showCount(unread) {
    var link = document.getElementById("messages-link");
    if (!link) return;
    var count = link.querySelector(".message-count");
    if (!unread) { if (count) count.remove(); return; }
    if (!count) {
      count = document.createElement("span");
      count.className = "message-count";
      link.appendChild(document.createTextNode(" "));
      link.appendChild(count);
    }
    count.textContent = String(unread);
    var hidden = document.createElement("span");
    hidden.className = "visually-hidden";
    hidden.textContent = " unread";
    count.appendChild(hidden);
  }
  window.forumShowMessageCount = showCount;

  document.addEventListener("forum:live-event", function (event) {
    var frame = event.detail;
    // On the conversation being read here, forum-messages.js's read call answers the count.
    if (frame.event === "message.unread" &&
        !(live && String(frame.data.conversation_id) === list.dataset.conversationId)) {
      showCount(frame.data.unread);
    }
  });
})();

// -- features fetched when first wanted: every thread page needs the code above, but few
// readers edit, attach a file or tag a thread, so that code (forum-edit.js, forum-attach.js,
// forum-tags.js) waits for them.
(function () {
  "use strict";

  var core = document.getElementById("forum-script");
  if (!core) return;
  var state = {}, loading = {};

  function want(name) {
    if (!loading[name]) {
      state[name] = "loading";
      loading[name] = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = core.dataset[name];
        script.onload = function () { state[name] = "ready"; resolve(); };
        script.onerror = function () { state[name] = "failed"; reject(); };
        document.head.appendChild(script);
      });
    }
    return loading[name];
  }

  // Edit in place: the first click on an Edit link fetches the editor, then clicks again.
  // While it loads the click waits; if it cannot load, the edit page opens as without script.
  document.addEventListener("click", function (event) {
    var link = event.target.closest('.post-actions a[href$="/edit"]');
    if (!link || state.edit === "ready" || state.edit === "failed") return;
    if (event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    if (state.edit === "loading") return;
    want("edit").then(function () { link.click(); }, function () { window.location.href = link.href; });
  });

  // Attaching files: fetched as soon as someone reaches for a composer. A file chosen before
  // it arrived is handed to it once it has.
  function inComposer(node) { return node.closest && node.closest("form.composer"); }
  document.addEventListener("focusin", function (event) { if (inComposer(event.target)) want("attach"); });
  document.addEventListener("dragenter", function () { want("attach"); });

  // Tag suggestions (forum-tags.js): fetched when a tag field is first reached for.
  document.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches("input[data-tag-suggest]")) want("tags");
  });
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (state.attach === "ready" || input.type !== "file" || !inComposer(input)) return;
    want("attach").then(function () { input.dispatchEvent(new Event("change", { bubbles: true })); });
  });
})();
