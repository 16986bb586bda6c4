// The Open Referral UK API on the demo directory, validated against the HSDS 3.0 JSON schemas
// (server/standards/hsds-3.0, CC BY-SA 4.0), plus the UK rules: UUID ids, the paging fields on
// every list, CORS * on every answer. No browser needed: plain HTTP.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const BASE = `${process.env.CAREMARKET_URL ?? 'http://127.0.0.1:3000'}/openreferral`;
const SCHEMAS = new URL('../../server/standards/hsds-3.0/', import.meta.url);
const load = (name) => JSON.parse(readFileSync(new URL(name, SCHEMAS), 'utf8'));
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const validators = {};
before(() => {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats(ajv);
  // Keywords the standard's schemas carry for its own tooling, not for validation.
  ajv.addVocabulary(['name', 'path', 'datapackage_metadata', 'constraints', 'example', 'core', 'datapackage_type', 'tabular_required']);
  // taxonomy.json and taxonomy_term.json refer to metadata.json, which the standard does not
  // ship compiled; the same definition is inlined in service.json.
  ajv.addSchema(load('service.json').properties.metadata.items, 'metadata.json');
  for (const name of ['taxonomy.json', 'taxonomy_term.json', 'service_list.json', 'organization_list.json', 'service_at_location_list.json']) {
    ajv.addSchema(load(name), name);
  }
  const page = (ref) => ({
    type: 'object',
    required: ['total_items', 'total_pages', 'page_number', 'size', 'first_page', 'last_page', 'empty', 'contents'],
    properties: {
      total_items: { type: 'integer' }, total_pages: { type: 'integer' }, page_number: { type: 'integer' }, size: { type: 'integer' },
      first_page: { type: 'boolean' }, last_page: { type: 'boolean' }, empty: { type: 'boolean' },
      contents: { type: 'array', items: { $ref: ref } },
    },
  });
  Object.assign(validators, {
    service: ajv.compile(load('service.json')),
    organization: ajv.compile(load('organization.json')),
    services: ajv.compile(page('service_list.json')),
    organizations: ajv.compile(page('organization_list.json')),
    service_at_locations: ajv.compile(page('service_at_location_list.json')),
    taxonomies: ajv.compile(page('taxonomy.json')),
    taxonomy_terms: ajv.compile(page('taxonomy_term.json')),
    root: ajv.compile({
      type: 'object', required: ['version', 'profile', 'openapi_url'],
      properties: { version: { type: 'string' }, profile: { type: 'string', format: 'uri' }, openapi_url: { type: 'string', format: 'uri' } },
    }),
  });
});

/** Fetches, checks CORS and no cookies, validates against `schema`, checks every id is a UUID. */
async function valid(path, schema) {
  const response = await fetch(`${BASE}${path}`);
  assert.equal(response.status, 200, path);
  assert.equal(response.headers.get('access-control-allow-origin'), '*', `CORS * on ${path}`);
  assert.equal(response.headers.get('set-cookie'), null, `no cookie from ${path}`);
  const body = await response.json();
  const validate = validators[schema];
  assert.ok(validate(body), `${path} is not valid ${schema}: ${JSON.stringify(validate.errors?.slice(0, 3), null, 1)}`);
  const ids = [];
  (function walk(value) {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') {
      for (const [key, field] of Object.entries(value)) {
        if ((key === 'id' || key.endsWith('_id')) && typeof field === 'string') ids.push(field);
        walk(field);
      }
    }
  })(body);
  const bad = ids.filter((id) => !UUID.test(id));
  assert.deepEqual(bad, [], `ids in ${path} are UUIDs`);
  return body;
}

/** Every page of a list, each validated; the pages add up to total_items with no repeats. */
async function everyPage(path, schema) {
  const items = [];
  for (let number = 1; ; number += 1) {
    const page = await valid(`${path}${path.includes('?') ? '&' : '?'}per_page=100&page=${number}`, schema);
    assert.equal(page.page_number, number);
    assert.equal(page.first_page, number === 1);
    assert.equal(page.size, page.contents.length);
    items.push(...page.contents);
    if (page.last_page) {
      assert.equal(items.length, page.total_items, `${path}: the pages add up`);
      break;
    }
    assert.ok(number < 50, 'ends');
  }
  assert.equal(new Set(items.map((item) => item.id)).size, items.length, `${path}: no repeats across pages`);
  return items;
}

test('the API describes itself', async () => {
  const about = await valid('/', 'root');
  assert.equal(about.version, 'HSDS 3.0');
  const openapi = await (await fetch(about.openapi_url)).json();
  assert.ok(openapi.paths['/services/{id}'], 'the openapi_url serves the API description');
});

test('every service listed and the first ones in full are valid HSDS 3.0', async () => {
  const services = await everyPage('/services', 'services');
  assert.ok(services.length >= 20, `the demo directory has services (${services.length})`);
  for (const summary of services.slice(0, 15)) {
    const service = await valid(`/services/${summary.id}`, 'service');
    assert.equal(service.name, summary.name);
    assert.ok(service.cost_options.length === 1 && service.cost_options[0].currency === 'GBP');
    assert.ok(service.attributes.length >= 1, 'tagged with its type of care');
  }
});

test('organizations, taxonomies and terms are valid HSDS 3.0', async () => {
  const organizations = await everyPage('/organizations', 'organizations');
  for (const summary of organizations.slice(0, 5)) {
    const organization = await valid(`/organizations/${summary.id}`, 'organization');
    assert.ok(organization.services.every((service) => service.organization_id === summary.id));
  }
  assert.equal((await everyPage('/taxonomies', 'taxonomies')).length, 2);
  const terms = await everyPage('/taxonomy_terms', 'taxonomy_terms');
  const homeCare = terms.find((term) => term.name === 'Home care');
  const tagged = await everyPage(`/services?taxonomy_term_id=${homeCare.id}`, 'services');
  assert.ok(tagged.length > 0, 'home care services are tagged with the home care term');
  const first = await valid(`/services/${tagged[0].id}`, 'service');
  assert.ok(first.attributes.some((attribute) => attribute.taxonomy_term_id === homeCare.id));
});

test('service at locations near a postcode are valid and nearest first', async () => {
  const services = await everyPage('/services', 'services');
  let district;
  for (const summary of services) {
    const service = await valid(`/services/${summary.id}`, 'service');
    district = service.service_areas.find((area) => /^[A-Z]{1,2}[0-9][0-9A-Z]?$/.test(area.name))?.name;
    if (district) break;
  }
  assert.ok(district, 'a service names a postcode district it serves');
  const near = await everyPage(`/service_at_locations?postcode=${district}&proximity=10000`, 'service_at_locations');
  assert.ok(near.length > 0, `services within 10 km of ${district}`);
  const distances = near.map((row) => row.distance);
  assert.deepEqual(distances, [...distances].sort((a, b) => a - b), 'nearest first');
  assert.ok(distances.every((metres) => metres <= 10000));
});
