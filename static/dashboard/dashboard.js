import { getJson, setKey, Unauthorized } from './api.js';
import { createFigures } from './figures.js';
import { startJobFeed } from './jobs.js';
import { startDropZone } from './ocr.js';

// The script of GET /dashboard. It lives in files, not inline, because the page's
// Content-Security-Policy runs scripts from this origin only. Figures are read every two
// seconds; jobs arrive over the WebSocket as they change.

const POLL_MS = 2_000;
const $ = (id) => document.getElementById(id);
const connection = $('connection');

function setConnection(state, detail) {
  connection.dataset.state = state;
  connection.textContent = detail ? `${state} · ${detail}` : state;
}

function start(first) {
  $('key-form').hidden = true;
  $('board').hidden = false;
  const figures = createFigures();
  figures.update(first);
  startJobFeed({ table: $('jobs'), empty: $('jobs-empty'), onState: setConnection });
  startDropZone({ zone: $('drop-zone'), input: $('file-input'), status: $('ocr-status'), result: $('ocr-result') });
  const poll = async () => {
    try {
      figures.update(await getJson('/dashboard/data'));
      $('board').dataset.stale = 'false';
    } catch {
      $('board').dataset.stale = 'true';
    }
    setTimeout(poll, POLL_MS);
  };
  setTimeout(poll, POLL_MS);
}

$('key-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  setKey($('api-key').value.trim());
  $('key-error').textContent = '';
  try {
    start(await getJson('/dashboard/data'));
  } catch (err) {
    $('key-error').textContent = err.message;
  }
});

function open() {
  getJson('/dashboard/data').then(start, (err) => {
    if (err instanceof Unauthorized) {
      setConnection('locked');
      $('key-form').hidden = false;
      $('api-key').focus();
      return;
    }
    // The service is starting or its database is away: try again rather than ask for a key.
    setConnection('error', err.message);
    setTimeout(open, POLL_MS);
  });
}
open();
