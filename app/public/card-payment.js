// The card form on /budget/pay/{id}: card details go from here straight to Stripe (Stripe.js),
// never through CareMarket. Stripe then tells our server the payment succeeded.
(function () {
  var form = document.getElementById('card-form');
  if (!form || typeof Stripe === 'undefined') return;
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
})();
