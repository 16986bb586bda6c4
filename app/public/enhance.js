// Progressive enhancements, each for a page that works without JavaScript. Anything that
// changes the page waits until the app has hydrated (until then the app expects the page
// exactly as the server sent it).
(function () {
  function whenHydrated(then) {
    if (document.body.hasAttribute('data-hydrated')) return then();
    new MutationObserver(function (changes, observer) {
      if (document.body.hasAttribute('data-hydrated')) {
        observer.disconnect();
        then();
      }
    }).observe(document.body, { attributes: true, attributeFilter: ['data-hydrated'] });
  }

  // The card form on /budget/pay/{id}: card details go from here straight to Stripe
  // (Stripe.js, which adds its own elements), never through CareMarket. Stripe then tells our
  // server the payment succeeded.
  var form = document.getElementById('card-form');
  if (form) {
    var showCardForm = function () {
      var stripe = Stripe(form.dataset.publishableKey);
      var card = stripe.elements().create('card', { hidePostalCode: true });
      card.mount('#card-element');
      form.hidden = false;
      var message = document.getElementById('card-message');
      var button = form.querySelector('button');
      form.addEventListener('submit', function (event) {
        event.preventDefault();
        button.disabled = true;
        message.textContent = '';
        stripe.confirmCardPayment(form.dataset.clientSecret, { payment_method: { card: card } }).then(function (result) {
          if (result.error) {
            message.textContent = result.error.message;
            button.disabled = false;
          } else {
            window.location.assign(form.dataset.done);
          }
        });
      });
    };

    whenHydrated(function () {
      var script = document.createElement('script');
      script.src = form.dataset.stripeJs;
      script.onload = showCardForm;
      document.head.appendChild(script);
    });
  }

  // The import form on /offline-placements: a CSV file can be chosen instead of pasting its
  // rows; its text goes into the same box, to be checked and sent as if pasted.
  var group = document.getElementById('csv-file-group');
  var chooser = document.getElementById('csv-file');
  var rows = document.getElementById('csv');
  if (group && chooser && rows) {
    whenHydrated(function () {
      group.hidden = false;
      chooser.addEventListener('change', function () {
        var file = chooser.files && chooser.files[0];
        if (!file) return;
        file.text().then(function (text) {
          rows.value = text;
          rows.dispatchEvent(new Event('input', { bubbles: true }));
          document.getElementById('csv-file-status').textContent = file.name + ' is in the box below. Check it, then import.';
        });
      });
    });
  }
})();
