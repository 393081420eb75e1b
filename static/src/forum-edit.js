// -- Edit in place ------------------------------------------------------------------------
// A post's Edit link opens an editor where the post is; the edit page stays for pages without
// script. Saving goes through the API (with the CSRF header), the body updates at once, and the
// post.edited event that follows replaces the whole post here and on every other open page.
(function () {
  "use strict";

  var posts = document.getElementById("posts");
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  if (!posts || !csrfMeta) return;
  var EDIT_LINK = '.post-actions a[href$="/edit"]';
  var REFOCUS_WITHIN_MS = 5000;  // how long a saved post keeps focus through its live refresh

  function apiJson(url, options) {
    options.credentials = "same-origin";
    options.headers = { "Content-Type": "application/json", "X-CSRF-Token": csrfMeta.content };
    return fetch(url, options).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    });
  }

  function problem(result, fallback) {
    var error = result.data && result.data.error;
    if (!error) return fallback;
    var fields = error.fields || {};
    return fields.body || error.message || fallback;
  }

  function focusPost(post) {
    post.setAttribute("tabindex", "-1");
    post.focus();
  }

  // The live event swaps the article for a fresh one: keep focus on the post through it.
  var refocus = null;
  new MutationObserver(function () {
    if (!refocus || Date.now() > refocus.until) { refocus = null; return; }
    var fresh = document.getElementById("post-" + refocus.id);
    if (fresh && fresh !== refocus.el) {
      refocus = null;
      if (document.activeElement === document.body || !document.contains(document.activeElement)) focusPost(fresh);
    }
  }).observe(posts, { childList: true, subtree: true });

  function open(post, link) {
    var existing = post.querySelector("form.inline-edit");
    if (existing) { existing.querySelector("textarea").focus(); return; }
    var id = post.dataset.postId, body = post.querySelector(".post-body"), actions = post.querySelector(".post-actions");
    var editor = document.createElement("form");
    editor.className = "inline-edit composer";
    editor.setAttribute("aria-label", "Edit post");
    editor.innerHTML =
      '<p class="form-error" role="alert" hidden></p>' +
      '<label for="inline-edit-' + id + '">Edit your post</label>' +
      '<textarea id="inline-edit-' + id + '" name="body" rows="6" required></textarea>' +
      '<p class="help">Markdown works. Escape cancels.</p>' +
      '<div class="composer-tools"><button type="submit">Save</button>' +
      '<button type="button" class="link-button">Cancel</button></div>';
    var area = editor.querySelector("textarea"), error = editor.querySelector(".form-error");
    var save = editor.querySelector('button[type="submit"]'), cancel = editor.querySelector(".link-button");
    area.disabled = true;
    body.after(editor);
    body.hidden = true;
    actions.hidden = true;

    function close(focusOn) {
      editor.remove();
      body.hidden = false;
      actions.hidden = false;
      if (focusOn === "post") focusPost(post);
      else if (document.contains(link)) link.focus();
    }

    function fail(message) {
      error.textContent = message + " Your text is still here.";
      error.hidden = false;
      area.focus();
    }

    apiJson("/api/v1/posts/" + id, { method: "GET" }).then(function (result) {
      if (!result.ok) throw new Error(problem(result, "Could not load the post."));
      area.value = result.data.body;
      area.disabled = false;
      area.focus();
    }).catch(function () { window.location.href = link.href; });  // the edit page still works

    editor.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!area.value.trim()) { fail("Write something, or use Delete to remove the post."); return; }
      save.disabled = true;
      apiJson("/api/v1/posts/" + id, { method: "PATCH", body: JSON.stringify({ body: area.value }) })
        .then(function (result) {
          if (!result.ok) throw new Error(problem(result, "Could not save."));
          var current = document.getElementById("post-" + id);
          if (current && current !== post) { focusPost(current); return; }  // the live event came first
          body.innerHTML = result.data.html;  // sanitised by the server when it was written
          refocus = { id: id, el: post, until: Date.now() + REFOCUS_WITHIN_MS };
          close("post");
        }).catch(function (problemError) { fail(problemError.message); })
        .then(function () { save.disabled = false; });
    });
    cancel.addEventListener("click", function () { close("link"); });
    editor.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { event.preventDefault(); close("link"); }
      else if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); editor.requestSubmit(); }
    });
  }

  posts.addEventListener("click", function (event) {
    var link = event.target.closest(EDIT_LINK);
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    open(link.closest("article.post"), link);
  });
})();
