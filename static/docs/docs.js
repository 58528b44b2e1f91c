// The script of GET /docs: loads this service's OpenAPI document and renders it with Swagger UI.
// It lives in a file, not inline, because the page's Content-Security-Policy runs scripts from
// this origin only. Loaded as a module (deferred, own scope), after Swagger UI's bundle.
//
// The page itself needs no API key (it is the same for every deployment); the document does when
// API_KEYS is set. Then the page asks for a key, sends it as x-api-key, and hands it to Swagger UI
// so "Try it out" sends it too. The key is kept in this page's memory only: a reload asks again,
// and nothing is left in the browser's storage for a later user of the machine.
const SPEC_URL = '/openapi.json';
const form = document.getElementById('key-form');
const input = document.getElementById('api-key');
const keyError = document.getElementById('key-error');
const loadError = document.getElementById('load-error');

/** The document, or null when the service wants a (different) key. */
async function fetchSpec(key) {
  const res = await fetch(SPEC_URL, { headers: key ? { 'x-api-key': key } : {}, credentials: 'omit', cache: 'no-store' });
  if (res.status === 401) return null;
  if (!res.ok) throw new Error(`${SPEC_URL} answered ${res.status} ${res.statusText}`);
  return res.json();
}

function render(spec, key) {
  form.hidden = true;
  const ui = SwaggerUIBundle({
    spec,
    dom_id: '#swagger-ui',
    deepLinking: true,
    // The default sends the document to an online validator; this page talks to its own origin only.
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
  });
  if (!key) return;
  for (const [name, scheme] of Object.entries(spec.components?.securitySchemes ?? {})) {
    if (scheme.type === 'apiKey') ui.preauthorizeApiKey(name, key);
  }
}

function showLoadError(err) {
  loadError.textContent = `Could not load the API description: ${err.message}`;
  loadError.hidden = false;
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const key = input.value.trim();
  keyError.textContent = '';
  try {
    const spec = await fetchSpec(key);
    if (spec) render(spec, key);
    else keyError.textContent = 'The service did not accept this key.';
  } catch (err) {
    showLoadError(err);
  }
});

fetchSpec().then((spec) => {
  if (spec) return render(spec);
  form.hidden = false;
  input.focus();
}, showLoadError);
