// -- attaching files in a composer: choose several, drop them on the message or paste a
// picture; each uploads at once with a progress bar and its Markdown goes where the cursor
// is. A picture is only added once it has a description (alt text). Without JavaScript the
// form itself sends one file (templates/_attach_field.html).
(function () {
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var PICTURE_TYPES = /^image\/(jpeg|png|webp|gif)$/;

  function escapeMarkdown(text) { return text.replace(/([\\\[\]])/g, "\\$1"); }

  function setUpAttachments(form) {
    var fieldset = form.querySelector("fieldset.attach");
    var textarea = form.querySelector("textarea");
    if (!fieldset || !textarea || !csrfMeta) return;
    var input = fieldset.querySelector('input[type="file"]');
    var limit = Number(fieldset.dataset.uploadLimit) || Infinity;
    var altField = fieldset.querySelector('input[name="alt"]').closest(".field");
    altField.hidden = true;  // each picture is described as it is added instead
    input.multiple = true;
    var help = fieldset.querySelector("#file-help");
    if (help) help.textContent += " You can also drop files on the message, or paste a picture into it.";
    var status = document.createElement("ul");
    status.className = "upload-status";
    status.setAttribute("aria-live", "polite");
    fieldset.appendChild(status);

    function insert(markdown) {
      var start = textarea.selectionStart, end = textarea.selectionEnd, text = textarea.value;
      var before = text.slice(0, start), after = text.slice(end);
      var block = (before && !/\n\n$/.test(before) ? (/\n$/.test(before) ? "\n" : "\n\n") : "") + markdown + "\n";
      textarea.value = before + block + after;
      textarea.selectionStart = textarea.selectionEnd = (before + block).length;
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    }

    function upload(file) {
      var line = document.createElement("li");
      var words = document.createElement("span");
      line.appendChild(words);
      status.appendChild(line);
      if (file.size > limit) {
        words.textContent = file.name + ": not added, it is larger than the forum takes.";
        return Promise.resolve();
      }
      var alt = "";
      if (PICTURE_TYPES.test(file.type)) {
        alt = window.prompt("Describe the picture “" + file.name + "” for people who cannot see it:", "");
        if (!alt || !alt.trim()) {
          words.textContent = file.name + ": not added, a picture needs a description.";
          return Promise.resolve();
        }
      }
      var bar = document.createElement("progress");
      bar.max = 100;
      bar.value = 0;
      bar.setAttribute("aria-label", "Uploading " + file.name);
      words.textContent = file.name + ": uploading ";
      line.appendChild(bar);
      var body = new FormData();
      body.append("file", file, file.name || "pasted.png");
      if (alt) body.append("alt", alt.trim());
      return new Promise(function (resolve) {
        var request = new XMLHttpRequest();
        request.open("POST", "/api/v1/uploads");
        request.setRequestHeader("X-CSRF-Token", csrfMeta.content);
        request.upload.addEventListener("progress", function (event) {
          if (event.lengthComputable) bar.value = Math.round(100 * event.loaded / event.total);
        });
        request.addEventListener("loadend", function () {
          bar.remove();
          var answer = null;
          try { answer = JSON.parse(request.responseText); } catch (error) { answer = null; }
          if (request.status === 201 && answer) {
            insert((answer.width ? "![" + escapeMarkdown(answer.alt) : "[" + escapeMarkdown(answer.name)) +
                   "](" + answer.url + ")");
            words.textContent = file.name + ": added to your message.";
          } else {
            words.textContent = file.name + ": not added. " +
              (answer && answer.error ? answer.error.message : "The upload failed; try again.");
          }
          resolve();
        });
        request.send(body);
      });
    }

    function uploadAll(files) {
      Array.prototype.reduce.call(files, function (previous, file) {
        return previous.then(function () { return upload(file); });
      }, Promise.resolve());
    }

    input.addEventListener("change", function () {
      var files = Array.prototype.slice.call(input.files);
      input.value = "";  // sent by the upload, never again with the form
      uploadAll(files);
    });
    textarea.addEventListener("dragover", function (event) {
      if (event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, "Files") >= 0) {
        event.preventDefault();
        textarea.classList.add("dropping");
      }
    });
    textarea.addEventListener("dragleave", function () { textarea.classList.remove("dropping"); });
    textarea.addEventListener("drop", function (event) {
      textarea.classList.remove("dropping");
      if (!event.dataTransfer || !event.dataTransfer.files.length) return;
      event.preventDefault();
      uploadAll(event.dataTransfer.files);
    });
    textarea.addEventListener("paste", function (event) {
      var files = event.clipboardData ? event.clipboardData.files : [];
      if (!files.length) return;
      event.preventDefault();
      uploadAll(files);
    });
  }

  document.querySelectorAll("form.composer").forEach(setUpAttachments);
})();
