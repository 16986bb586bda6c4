#!/usr/bin/env python3
"""A fake Stripe API for CareMarket's payment tests: localstripe, adapted.

localstripe (see requirements.txt) emulates the Stripe API in memory, but it
answers in an old API shape that async-stripe 1.0 cannot deserialise, binds all
interfaces and pickles its state to /tmp. This wrapper imports it unchanged and:

  * keeps every object in memory only (nothing is written to or read from disk);
  * listens on 127.0.0.1 only, on --port (0 = any free port);
  * adds the fields async-stripe 1.0's generated types require (non-Option
    fields of PaymentIntent, Charge, Event, ApiErrors) and returns
    `latest_charge` as an id, as Stripe does unless expanded;
  * makes the decline test cards (4000000000000002, ...9995, ...) decline when
    charged, with Stripe's `card_error` type and decline codes;
  * lets /confirm take a `payment_method` (e.g. pm_card_visa), also to retry a
    declined PaymentIntent;
  * honours the Idempotency-Key header: the same key and parameters replay the
    first response; the same key with other parameters is a 400
    idempotency_error;
  * accepts a few parameters localstripe rejects (description, receipt_email,
    automatic_payment_methods, ... on PaymentIntents; return_url on confirm;
    reason on refunds), and sends the refund.created and charge.refunded
    events Stripe sends for a refund.

Webhooks: register an endpoint with localstripe's
    POST /_config/webhooks/<any id>   url=http://127.0.0.1:PORT/path  secret=whsec_...
    [events[]=payment_intent.succeeded ...]
Each event is POSTed about 1 s after it happens, signed with
`Stripe-Signature: t=<event.created>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
Unlike localstripe, which posts to its endpoints one after another (so one slow or
silent endpoint holds up every other), each endpoint is sent the event on its own,
and, as Stripe does, sent it again a few times while it answers with an error or
not at all (an endpoint that refuses the connection is gone and is not retried).
DELETE /_config/data empties the store (and the idempotency cache).

Test payment methods: pm_card_visa succeeds; pm_card_visa_chargeDeclined and
pm_card_chargeCustomerFail decline. Any secret key of the form sk_... is accepted.

Usage: python3 localstripe_server.py --port 8420
Prints `localstripe ready on http://127.0.0.1:<port>` once it accepts requests.
"""

import argparse
import asyncio
import hashlib
import hmac
import json
import logging
import socket
from urllib.parse import parse_qsl

import aiohttp
from aiohttp import web
from localstripe import resources
from localstripe.errors import UserError
from localstripe.resources import Charge, Event, PaymentIntent, PaymentMethod, Refund
from localstripe import webhooks
from localstripe.webhooks import _webhooks, schedule_webhook

# The API version async-stripe 1.0.0-rc.10 is generated for; events carry it so
# that stripe_webhook does not log a version mismatch.
API_VERSION = "2026-09-30.endive"

# --- 1. In memory only -------------------------------------------------------
resources.Store.dump_to_disk = lambda self: None
resources.Store.try_load_from_disk = lambda self: None


# --- 2. Declining test cards ---------------------------------------------------
# card number -> (error code, decline_code, message), as Stripe documents them.
DECLINES = {
    "4000000000000002": ("card_declined", "generic_decline", "Your card was declined."),
    "4000000000000341": ("card_declined", "generic_decline", "Your card was declined."),
    "4000000000009995": ("card_declined", "insufficient_funds", "Your card has insufficient funds."),
    "4000000000009987": ("card_declined", "lost_card", "Your card was declined."),
    "4000000000009979": ("card_declined", "stolen_card", "Your card was declined."),
    "4000000000000069": ("expired_card", "expired_card", "Your card has expired."),
    "4000000000000127": ("incorrect_cvc", "incorrect_cvc", "Your card's security code is incorrect."),
    "4000000000000119": ("processing_error", "processing_error",
                         "An error occurred while processing your card. Try again in a little bit."),
}
_charging_is_declined = PaymentMethod._charging_is_declined


def charging_is_declined(pm):  # also used by localstripe's legacy Card objects
    return _charging_is_declined(pm) or getattr(pm, "_card_number", None) in DECLINES


def set_auth_failure(charge):
    pm = PaymentMethod._api_retrieve(charge.payment_method)
    code, decline_code, message = DECLINES.get(
        getattr(pm, "_card_number", None), DECLINES["4000000000000002"])
    charge.status = "failed"
    charge.failure_code, charge.failure_message = code, message
    charge._decline_code = decline_code


def raise_card_error(charge):
    error = {"code": charge.failure_code, "decline_code": charge._decline_code,
             "charge": charge.id}
    if charge.payment_intent:
        error["payment_intent"] = PaymentIntent._api_retrieve(charge.payment_intent)._export()
    e = UserError(402, charge.failure_message, error)
    e.body["error"]["type"] = "card_error"  # UserError always says invalid_request_error
    raise e


PaymentMethod._charging_is_declined = charging_is_declined
Charge._set_auth_failure = set_auth_failure
Charge._raise_failure = raise_card_error


# --- 3. Request parameters -----------------------------------------------------
PI_ECHOED = ("description", "receipt_email", "statement_descriptor",
             "statement_descriptor_suffix", "transfer_group")
_pi_init, _pi_confirm = PaymentIntent.__init__, PaymentIntent._api_confirm.__func__
_refund_create = Refund._api_create.__func__


def pi_init(self, *args, automatic_payment_methods=None, **data):
    echoed = {k: data.pop(k, None) for k in PI_ECHOED}
    _pi_init(self, *args, **data)
    self.__dict__.update(echoed)  # also lets UpdatePaymentIntent change them later
    if automatic_payment_methods:  # accepted, as Stripe's docs recommend it; cards only here
        enabled = resources.try_convert_to_bool(automatic_payment_methods.get("enabled"))
        self.automatic_payment_methods = {"enabled": enabled is True}


@classmethod
def pi_confirm(cls, id, payment_method=None, return_url=None, **kwargs):
    # return_url is accepted and unused: test cards never redirect.
    if payment_method is not None:  # localstripe itself answers 500 "Not implemented"
        pi = cls._api_retrieve(id)
        if pi.status not in ("requires_payment_method", "requires_confirmation"):
            raise UserError(400, "This PaymentIntent cannot be confirmed in status " + pi.status)
        pi.payment_method = PaymentMethod._api_retrieve(payment_method).id
        if pi.latest_charge is not None and pi.latest_charge.status == "failed":
            pi.latest_charge = None  # retry after a decline: a new charge is made
    return _pi_confirm(cls, id, **kwargs)


@classmethod
def refund_create(cls, reason=None, **data):
    refund = _refund_create(cls, **data)
    refund.reason = reason  # requested_by_customer, duplicate or fraudulent
    # localstripe sends no event for refunds; Stripe sends these two.
    schedule_webhook(Event("refund.created", refund))
    schedule_webhook(Event("charge.refunded", Charge._api_retrieve(refund.charge)))
    return refund


PaymentIntent.__init__, PaymentIntent._api_confirm = pi_init, pi_confirm
Refund._api_create = refund_create
# localstripe.server binds its extra routes to the functions in this list when
# it is imported (below), so the new confirm must be put here first.
resources.extra_apis[:] = [
    (method, url, PaymentIntent._api_confirm if url == "/v1/payment_intents/{id}/confirm" else f)
    for method, url, f in resources.extra_apis]


# --- 4. Response shapes async-stripe 1.0 can parse -----------------------------
def patch_export(cls, fix):
    original = cls._export

    def _export(self, expand=None):
        obj = original(self, expand=expand)
        fix(self, obj, expand or [])
        return obj
    cls._export = _export


def fix_payment_intent(pi, obj, expand):
    status = obj["status"]
    obj.pop("charges", None)  # removed from the API in 2022
    if pi.latest_charge is not None and "latest_charge" not in expand:
        obj["latest_charge"] = pi.latest_charge.id
    obj["amount_capturable"] = pi.amount if status == "requires_capture" else 0
    obj["amount_received"] = pi.amount if status == "succeeded" else 0
    obj["confirmation_method"] = "automatic"
    obj["payment_method_types"] = ["card"]
    for key in PI_ECHOED:
        obj.setdefault(key, None)
    error = obj.get("last_payment_error")
    if error:
        if error.get("code") == "payment_intent_authentication_failure":
            error["type"] = "invalid_request_error"
        else:
            error["type"] = "card_error"
            error["decline_code"] = getattr(pi.latest_charge, "_decline_code", None)


def fix_charge(charge, obj, expand):
    obj["amount_captured"] = charge.amount if charge.captured and charge.paid else 0
    obj["billing_details"] = {"address": None, "email": None, "name": None, "phone": None}
    obj["disputed"] = False


def fix_refund(refund, obj, expand):
    obj.setdefault("reason", None)


def fix_event(event, obj, expand):
    obj["api_version"] = API_VERSION
    obj["pending_webhooks"] = sum(
        1 for w in _webhooks.values() if w.events is None or event.type in w.events)
    obj["request"] = {"id": None, "idempotency_key": None}


patch_export(PaymentIntent, fix_payment_intent)
patch_export(Charge, fix_charge)
patch_export(Refund, fix_refund)
patch_export(Event, fix_event)


# --- 5. Webhooks: each endpoint on its own, failed deliveries retried ---------
RETRY_AFTER = (1, 2, 4, 8)  # seconds; Stripe's own schedule is hours, tests cannot wait that long


async def deliver(webhook, event_type, created, payload):
    signature = hmac.new(webhook.secret.encode(), b"%d.%s" % (created, payload),
                         hashlib.sha256).hexdigest()
    headers = {"Content-Type": "application/json; charset=utf-8",
               "Stripe-Signature": "t=%d,v1=%s" % (created, signature)}
    timeout = aiohttp.ClientTimeout(total=10)
    for wait in RETRY_AFTER + (None,):
        try:
            async with aiohttp.ClientSession(timeout=timeout) as session:
                async with session.post(webhook.url, data=payload, headers=headers) as r:
                    if 200 <= r.status < 300:
                        return
                    logging.warning("webhook %s to %s: %d", event_type, webhook.url, r.status)
        except aiohttp.ClientConnectorError:
            return  # nothing listens there any more
        except (aiohttp.ClientError, asyncio.TimeoutError) as e:
            logging.warning("webhook %s to %s: %r", event_type, webhook.url, e)
        if wait is None:
            return
        await asyncio.sleep(wait)


async def send_webhook(event):
    payload = json.dumps(event._export(), indent=2, sort_keys=True).encode()
    await asyncio.sleep(1)
    await asyncio.gather(*(
        deliver(w, event.type, event.created, payload) for w in list(_webhooks.values())
        if w.events is None or event.type in w.events))


webhooks._send_webhook = send_webhook  # schedule_webhook looks it up at each call


# --- 6. Idempotency-Key --------------------------------------------------------
from localstripe import server  # noqa: E402  (builds the aiohttp app: after the patches)

_replays = {}      # (secret key, idempotency key) -> (request fingerprint, response parts)
_in_flight = set()


def idempotency_error(status, message):
    return web.json_response({"error": {"type": "idempotency_error", "message": message}},
                             status=status)


@web.middleware
async def idempotency(request, handler):
    if request.method == "DELETE" and request.path == "/_config/data":
        _replays.clear()
    key = request.headers.get("Idempotency-Key")
    if request.method != "POST" or not key:
        return await handler(request)
    slot = (request.headers.get("Authorization", ""), key)
    # Compare parameters, not bytes: async-stripe encodes metadata maps in HashMap order.
    params = sorted(parse_qsl((await request.read()).decode(), keep_blank_values=True))
    fingerprint = (request.path, request.query_string, params)
    if slot in _replays:
        seen, (status, body, content_type) = _replays[slot]
        if seen != fingerprint:
            return idempotency_error(400, "Keys for idempotent requests can only be used "
                                          "with the same parameters they were first used with.")
        return web.Response(status=status, body=body, content_type=content_type,
                            headers={"Idempotency-Key": key, "Idempotent-Replayed": "true"})
    if slot in _in_flight:
        return idempotency_error(409, "There is currently another in-progress request "
                                      "using this idempotency key.")
    _in_flight.add(slot)
    try:
        response = await handler(request)
    finally:
        _in_flight.discard(slot)
    if response.status not in (401, 429) and response.status < 500:
        _replays[slot] = (fingerprint, (response.status, response.body, response.content_type))
    response.headers["Idempotency-Key"] = key
    return response


# Outermost, so it sees (and replays) error responses too, e.g. a 402 decline.
server.app.middlewares.insert(0, idempotency)


# --- 7. Serve on loopback ------------------------------------------------------
async def serve(port):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    runner = web.AppRunner(server.app, access_log=None)
    await runner.setup()
    await web.SockSite(runner, sock).start()
    print("localstripe ready on http://127.0.0.1:%d" % sock.getsockname()[1], flush=True)
    await asyncio.Event().wait()  # until killed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8420, help="0 picks a free port")
    asyncio.run(serve(parser.parse_args().port))


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
