// Progressive enhancement for the assistant: the pages work without it.
// 1. Move focus to the error summary so screen readers announce it (it also has role="alert").
// 2. Show/hide fields whose condition depends on answers on the same page.
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }

  var form = document.querySelector(".assistant-form");
  if (!form) { return; }
  var conditional = Array.prototype.slice.call(form.querySelectorAll("[data-visible-if]"));
  if (!conditional.length) { return; }

  function values(name) {
    var result = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name !== name) { return; }
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) { return; }
      if (el.value !== "") { result.push(el.value); }
    });
    return result;
  }
  function normalise(value) {
    if (value === true) { return "ja"; }
    if (value === false) { return "nein"; }
    return String(value);
  }
  function known(name) {
    return Array.prototype.some.call(form.elements, function (el) { return el.name === name; });
  }
  function test(cond) {
    if (cond.all) { return cond.all.every(test); }
    if (cond.any) { return cond.any.some(test); }
    if (cond.not) { return !test(cond.not); }
    if (!known(cond.field)) { return true; }  // decided by the server from earlier steps
    var current = values(cond.field);
    if ("equals" in cond) { return current.indexOf(normalise(cond.equals)) !== -1; }
    if ("not_equals" in cond) { return current.length > 0 && current.indexOf(normalise(cond.not_equals)) === -1; }
    if ("in" in cond) { return cond["in"].map(normalise).some(function (v) { return current.indexOf(v) !== -1; }); }
    if ("contains" in cond) { return current.indexOf(cond.contains) !== -1; }
    if ("filled" in cond) { return (current.length > 0) === cond.filled; }
    return true;
  }
  function update() {
    conditional.forEach(function (el) {
      var show = true;
      try { show = test(JSON.parse(el.getAttribute("data-visible-if"))); } catch (e) { show = true; }
      el.hidden = !show;
    });
  }
  form.addEventListener("change", update);
  update();
})();
