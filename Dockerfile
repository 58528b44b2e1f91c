# syntax=docker/dockerfile:1
# DTAT-OCR image: the launcher and WORKERS serving processes on port 8080, PostgreSQL elsewhere
# (DATABASE_URL). docker-compose.yml runs it with a PostgreSQL for local trials; docs/deploy-ec2.md
# runs the same service under systemd instead.
#
# Node 22: Node 20 is past its end of life (April 2026), so a new image must not ship it. The
# native uWebSockets.js build loads on Node 20 only, so on 22 the service serves through node:http
# (HTTP_ADAPTER=node). For uWS, build with --build-arg NODE_MAJOR=20 and run with HTTP_ADAPTER=uws.
ARG NODE_MAJOR=22

# --- dependencies: production packages only, no install scripts (none is needed, and one would
# --- report to an analytics server during the build).
FROM node:${NODE_MAJOR}-trixie-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force

# --- runtime
FROM node:${NODE_MAJOR}-trixie-slim
ENV WORKERS=4 \
    PORT=8080 \
    HOST=0.0.0.0 \
    HTTP_ADAPTER=node
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json functions.config.ts ./
COPY functions ./functions
COPY runtime ./runtime
COPY schemas ./schemas
COPY static ./static
COPY scripts/deploy/healthcheck.mjs ./scripts/deploy/healthcheck.mjs
# The code stays root's and read-only; the launcher compiles the workers into .data/build.
RUN mkdir .data && chown node:node .data
USER node
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "scripts/deploy/healthcheck.mjs"]
# Exec form: node is PID 1 and gets SIGTERM itself; the launcher drains every worker (up to
# SHUTDOWN_TIMEOUT_MS, 30 s) and exits 0, so stop with a longer grace (docker stop -t 45).
CMD ["node", "--import", "tsx", "runtime/launcher.ts"]
