// The card form on /budget/pay/{id}: card details go from here straight to Stripe (Stripe.js),
// never through CareMarket. Stripe then tells our server the payment succeeded.
// Stripe.js adds its own elements to the page, so it is loaded only once the app has
// hydrated (the app expects the page exactly as the server sent it until then).
(function () {
  var form = document.getElementById('card-form');
  if (!form) return;

  function whenHydrated(then) {
    if (document.body.hasAttribute('data-hydrated')) return then();
    new MutationObserver(function (changes, observer) {
      if (document.body.hasAttribute('data-hydrated')) {
        observer.disconnect();
        then();
      }
    }).observe(document.body, { attributes: true, attributeFilter: ['data-hydrated'] });
  }

  function showCardForm() {
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
  }

  whenHydrated(function () {
    var script = document.createElement('script');
    script.src = form.dataset.stripeJs;
    script.onload = showCardForm;
    document.head.appendChild(script);
  });
})();
