# aibridge: one stateless replica of the gateway, API and dashboard (see deploy/ and the
# README's "Production deployment"). Build: docker build -t aibridge .

# Stage 1: install everything (dev tools included) and build dist/ (tsc) and web/dist/ (Vite).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY web/package.json web/
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN node scripts/build.mjs

# Stage 2: production dependencies only (no TypeScript, Vite or the dashboard's sources), the
# built output, and an unprivileged user.
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    AIBRIDGE_HTTP_ADDRESS=0.0.0.0:3000 \
    AIBRIDGE_DATA_DIR=/data
WORKDIR /app
COPY package.json package-lock.json ./
COPY web/package.json web/
# --ignore-scripts: `prepare` would rebuild with tools this stage does not have; the
# dashboard's packages are only needed to build it, so its workspace is left out.
RUN npm ci --omit=dev --ignore-scripts --workspaces=false --no-audit --no-fund \
    && npm cache clean --force
COPY --from=build /app/dist dist
COPY --from=build /app/web/dist web/dist
COPY bin bin
# /data holds the spool of records kept across a shutdown while the database is away (and the
# embedded database when no DATABASE_URL is set: one replica only).
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:3000/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "--max-semi-space-size=8", "bin/aibridge.js", "server"]
