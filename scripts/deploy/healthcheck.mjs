// The Docker image's HEALTHCHECK: exit 0 when GET /health answers 200 within the timeout, 1
// otherwise (503 when PostgreSQL is unreachable, refused, hung). The slim image has no curl.
// Plain JavaScript, not TypeScript: it runs every 30 s, and loading the TypeScript loader would cost
// more than the check itself. What it printed last shows in `docker inspect`.
const port = process.env.PORT || '8080';
const url = process.env.HEALTHCHECK_URL || `http://127.0.0.1:${port}/health`;
// Below the HEALTHCHECK --timeout, so a hung service gets this message instead of Docker's kill.
const timeoutMs = Number(process.env.HEALTHCHECK_TIMEOUT_MS) || 4000;

try {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  const body = await res.text();
  console.log(`${url} ${res.status} ${body.slice(0, 300)}`);
  process.exitCode = res.status === 200 ? 0 : 1;
} catch (err) {
  console.log(`${url} ${err.cause?.code ?? err.name}: ${err.message}`);
  process.exitCode = 1;
}
