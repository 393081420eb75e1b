// -- tag suggestions: the tag field offers existing tags (with thread counts) as you type ------
// A native datalist: the browser gives it keyboard and screen-reader behaviour. Each option is
// the whole field with its last name completed, since the field holds names separated by commas.
(function () {
  "use strict";
  var ASK_AFTER_MS = 150;
  document.querySelectorAll("input[data-tag-suggest]").forEach(function (field) {
    var list = document.createElement("datalist");
    list.id = field.id + "-suggestions";
    field.after(list);
    field.setAttribute("list", list.id);
    var timer = null, asked = 0;
    field.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        var parts = field.value.split(",");
        var typed = parts[parts.length - 1].trim().replace(/^#/, "");
        var before = parts.slice(0, -1).map(function (p) { return p.trim(); }).filter(Boolean);
        if (!typed) { list.textContent = ""; return; }
        var ticket = ++asked;
        fetch("/api/v1/tags?q=" + encodeURIComponent(typed), { credentials: "same-origin" })
          .then(function (response) { return response.ok ? response.json() : { tags: [] }; })
          .then(function (data) {
            if (ticket !== asked) return;
            list.textContent = "";
            data.tags.forEach(function (tag) {
              var option = document.createElement("option");
              option.value = before.concat([tag.name]).join(", ");
              option.label = "#" + tag.name + " (" + tag.thread_count + (tag.thread_count === 1 ? " thread)" : " threads)");
              list.appendChild(option);
            });
          })
          .catch(function () { list.textContent = ""; });
      }, ASK_AFTER_MS);
    });
    // Fetched as the field was reached for: what was typed meanwhile is looked up at once.
    if (field.value) field.dispatchEvent(new Event("input"));
  });
})();
