import { el, socketUrl } from './api.js';

// The recent jobs, changing as they change: the job feed on /ws (?feed=jobs) sends the newest
// jobs first, then every change of every job, whichever process or machine ran it. A dropped
// connection is reopened; the snapshot it starts with fills in what was missed.

const MAX_ROWS = 15;
const RETRY_MS = 2_000;

export function startJobFeed({ table, empty, onState }) {
  const body = table.tBodies[0];
  const jobs = new Map();

  function render(job) {
    let row = jobs.get(job.jobId);
    const merged = { ...(row?.job ?? {}), ...job };
    if (!row) {
      row = { tr: el('tr', undefined, { 'data-job-id': job.jobId }), job: merged };
      jobs.set(job.jobId, row);
      body.prepend(row.tr);
      while (body.rows.length > MAX_ROWS) {
        const oldest = body.rows[body.rows.length - 1];
        jobs.delete(oldest.dataset.jobId);
        oldest.remove();
      }
    }
    row.job = merged;
    const took = merged.startedAt && merged.finishedAt ? (Date.parse(merged.finishedAt) - Date.parse(merged.startedAt)) / 1000 : null;
    const status = el('td');
    status.append(el('span', merged.status, { class: 'badge', 'data-status': merged.status }));
    const cells = [
      el('td', merged.jobId.slice(0, 8), { title: merged.jobId, class: 'mono' }),
      el('td', merged.function ?? ''),
      status,
      el('td', merged.attempts ?? ''),
      el('td', took === null ? '' : `${took.toFixed(1)} s`),
      el('td', merged.status === 'running' ? (merged.worker ?? '') : '', { class: 'mono' }),
      el('td', new Date().toLocaleTimeString()),
    ];
    if (merged.pageCount) cells[2].append(el('small', ` ${merged.pagesDone}/${merged.pageCount}`));
    if (merged.error && merged.status !== 'succeeded') cells[2].title = `${merged.error.code}: ${merged.error.message}`;
    row.tr.replaceChildren(...cells);
    empty.hidden = jobs.size > 0;
  }

  function connect() {
    const socket = new WebSocket(socketUrl({ feed: 'jobs' }));
    socket.addEventListener('message', (event) => {
      const message = JSON.parse(event.data);
      if (message.type === 'welcome') onState('live', message.worker);
      else if (message.type === 'jobs') message.jobs.forEach(render);
      else if (message.type === 'job') render(message);
    });
    socket.addEventListener('close', () => {
      onState('reconnecting');
      setTimeout(connect, RETRY_MS);
    });
  }
  connect();
}
