import { el, formatMs, request } from './api.js';

// The drop zone: a file dropped (or chosen) is posted to POST /ocr with TABLES and FORMS, and
// the answer shown as text, key-values and tables; the markdown is the stored result read back
// with GET /documents/:id?format=markdown, which costs no second Textract call.

const count = (n, noun) => `${n} ${noun}${n === 1 ? '' : 's'}`;

export function startDropZone({ zone, input, status, result }) {
  const tabs = [...result.querySelectorAll('[role="tab"]')];
  for (const tab of tabs) {
    tab.addEventListener('click', () => {
      for (const other of tabs) other.setAttribute('aria-selected', String(other === tab));
      for (const panel of result.querySelectorAll('[data-panel]')) panel.hidden = panel.dataset.panel !== tab.dataset.tab;
    });
  }

  const say = (message, state) => {
    status.textContent = message;
    status.dataset.state = state;
  };

  async function ocr(file) {
    say(`Reading ${file.name}…`, 'busy');
    result.hidden = true;
    try {
      const query = new URLSearchParams({ features: 'TABLES,FORMS', filename: file.name });
      const res = await request(`/ocr?${query}`, {
        method: 'POST',
        headers: { 'content-type': file.type || 'application/octet-stream' },
        body: file,
      });
      const body = await res.json();
      if (!res.ok) return say(`${file.name}: ${body.error?.message ?? `the service answered ${res.status}`}`, 'error');
      show(body);
      say(
        `${file.name}: ${count(body.pageCount, 'page')}, ${count(body.keyValues?.length ?? 0, 'key-value')}, ` +
          `${count(body.tables?.length ?? 0, 'table')}, ${formatMs(body.durationMs)}${body.cached ? ' (cached)' : ''} · document ${body.documentId}`,
        'done',
      );
      const markdown = await request(`/documents/${body.documentId}?function=ocr&format=markdown`);
      document.getElementById('ocr-markdown').textContent = markdown.ok ? await markdown.text() : `Markdown not available (${markdown.status}).`;
    } catch (err) {
      say(`${file.name}: ${err.message}`, 'error');
    }
  }

  function show(body) {
    document.getElementById('ocr-text').textContent = body.text || '(no text found)';
    document.getElementById('ocr-markdown').textContent = '';
    const kv = (body.keyValues ?? []).map((pair) => {
      const tr = el('tr');
      tr.append(el('td', pair.key), el('td', pair.value), el('td', `${Math.round(pair.confidence)} %`));
      return tr;
    });
    document.getElementById('ocr-key-values').tBodies[0].replaceChildren(...kv);
    const tables = (body.tables ?? []).map((table, i) => {
      const figure = el('figure');
      figure.append(el('figcaption', `Table ${i + 1}, page ${table.page}`));
      const t = el('table', undefined, { class: 'ocr-table' });
      for (const cells of table.rows) {
        const tr = el('tr');
        tr.append(...cells.map((cell) => el('td', cell)));
        t.append(tr);
      }
      figure.append(t);
      return figure;
    });
    document.getElementById('ocr-tables').replaceChildren(...(tables.length ? tables : [el('p', 'No tables found.', { class: 'muted' })]));
    result.hidden = false;
  }

  zone.addEventListener('dragover', (event) => {
    event.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('over');
    const file = event.dataTransfer?.files?.[0];
    if (file) void ocr(file);
  });
  input.addEventListener('change', () => {
    if (input.files?.[0]) void ocr(input.files[0]);
    input.value = '';
  });
}
