// The import form on /offline-placements: with JavaScript, a CSV file can be chosen instead of
// pasting its rows; its text goes into the same box, to be checked and sent as if pasted.
// The chooser is shown only once the app has hydrated (the app expects the page exactly as
// the server sent it until then); without JavaScript, pasting works as before.
(function () {
  var group = document.getElementById('csv-file-group');
  var chooser = document.getElementById('csv-file');
  var rows = document.getElementById('csv');
  if (!group || !chooser || !rows) return;

  function whenHydrated(then) {
    if (document.body.hasAttribute('data-hydrated')) return then();
    new MutationObserver(function (changes, observer) {
      if (document.body.hasAttribute('data-hydrated')) {
        observer.disconnect();
        then();
      }
    }).observe(document.body, { attributes: true, attributeFilter: ['data-hydrated'] });
  }

  whenHydrated(function () {
    group.hidden = false;
    chooser.addEventListener('change', function () {
      var file = chooser.files && chooser.files[0];
      if (!file) return;
      file.text().then(function (text) {
        rows.value = text;
        // Leptos reads the box's value when the form is sent; tell it the value changed.
        rows.dispatchEvent(new Event('input', { bubbles: true }));
        var status = document.getElementById('csv-file-status');
        if (status) status.textContent = file.name + ' is in the box below. Check it, then import.';
      });
    });
  });
})();
