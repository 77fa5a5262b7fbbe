# One Dockerfile, two images:
#   docker build --target dev .   development image (the dev container)
#   docker build .                production image (the last stage, the default)
# No `# syntax=` line: the built-in BuildKit frontend handles cache mounts, and
# nothing has to be pulled to build.

# ---- dev: full Debian image with git, psql, chromium and kubectl; the workspace is bind-mounted over /workspaces/fast-zero
FROM node:24-bookworm AS dev
# The official image has git but no psql client. Debian's chromium lets the
# /docs browser test (test/docs-browser.test.ts) run in the dev container, and
# so in GitHub CI, which runs npm test there.
RUN apt-get update \
    && apt-get install -y --no-install-recommends chromium \
       $(command -v psql >/dev/null || echo postgresql-client) \
    && rm -rf /var/lib/apt/lists/*
# kubectl for test/deploy/kubernetes.test.ts (`kubectl kustomize`) and PgBouncer
# for test/pgbouncer.test.ts, as .ci/run installs them on a host; their own
# layer keeps the chromium layer cached.
RUN apt-get update \
    && apt-get install -y --no-install-recommends kubernetes-client pgbouncer \
    && rm -rf /var/lib/apt/lists/*
# PEM text of extra CAs for networks that intercept TLS (corporate proxies,
# sandboxed CI); empty everywhere else. A CA certificate is public, not a
# secret. The dev image keeps it so npm, git and node work inside it too.
# docker/extra-ca.sh writes it out without printing it.
ARG EXTRA_CA_CERTS=""
RUN --mount=type=bind,source=docker/extra-ca.sh,target=/tmp/extra-ca.sh \
    sh /tmp/extra-ca.sh /usr/local/share/ca-certificates/extra-ca.crt \
    && update-ca-certificates >/dev/null
# Node's own CA store plus the system's (which has any EXTRA_CA_CERTS).
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    HOST=0.0.0.0 \
    PORT=8000
WORKDIR /workspaces/fast-zero
# node_modules is created here, owned by node, so the dev container's named
# volume mounted on it starts as node's (a root-owned volume fails npm ci with EACCES).
RUN chown node:node /workspaces/fast-zero \
    && install -d -o node -g node /workspaces/fast-zero/node_modules /home/node/.npm
COPY entrypoint.sh /usr/local/bin/entrypoint.sh
RUN chmod 0755 /usr/local/bin/entrypoint.sh
USER node
COPY --chown=node:node package.json package-lock.json ./
RUN --mount=type=cache,target=/home/node/.npm,uid=1000,gid=1000 npm ci --no-audit
# The sources make the image usable on its own (CI, `docker run`); in the dev
# container the bind mount hides them and a fresh node_modules volume is seeded
# from this layer.
COPY --chown=node:node . .
EXPOSE 8000
ENTRYPOINT ["/usr/local/bin/entrypoint.sh"]
CMD ["npm", "run", "dev"]

# ---- build: compile TypeScript (src/ and migrations/) to dist/
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# PEM text of extra CAs for networks that intercept TLS (corporate proxies,
# sandboxed CI); empty everywhere else. A CA certificate is public, not a secret.
# docker/extra-ca.sh writes it out without printing it.
ARG EXTRA_CA_CERTS=""
RUN --mount=type=cache,target=/root/.npm \
    --mount=type=bind,source=docker/extra-ca.sh,target=/tmp/extra-ca.sh \
    sh /tmp/extra-ca.sh /tmp/extra-ca.pem \
    && if [ -s /tmp/extra-ca.pem ]; then export NODE_EXTRA_CA_CERTS=/tmp/extra-ca.pem; fi \
    && npm ci --no-audit --no-fund \
    && rm -f /tmp/extra-ca.pem
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY migrations ./migrations
RUN npm run build

# ---- prod-deps: production dependencies only
FROM node:24-bookworm-slim AS prod-deps
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# PEM text of extra CAs for networks that intercept TLS (corporate proxies,
# sandboxed CI); empty everywhere else. A CA certificate is public, not a secret.
# docker/extra-ca.sh writes it out without printing it.
ARG EXTRA_CA_CERTS=""
RUN --mount=type=cache,target=/root/.npm \
    --mount=type=bind,source=docker/extra-ca.sh,target=/tmp/extra-ca.sh \
    sh /tmp/extra-ca.sh /tmp/extra-ca.pem \
    && if [ -s /tmp/extra-ca.pem ]; then export NODE_EXTRA_CA_CERTS=/tmp/extra-ca.pem; fi \
    && npm ci --omit=dev --no-audit --no-fund \
    && rm -f /tmp/extra-ca.pem

# ---- production (default): compiled JS + production dependencies, run as node
FROM node:24-bookworm-slim AS production
ENV NODE_ENV=production \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    HOST=0.0.0.0 \
    PORT=8000
WORKDIR /app
COPY entrypoint.sh /usr/local/bin/entrypoint.sh
RUN chmod 0755 /usr/local/bin/entrypoint.sh
# Files stay root-owned and read-only to node: the process cannot rewrite its
# own code, and the container also runs with a read-only root filesystem.
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# version.ts reads the version from package.json at run time.
COPY package.json ./
USER node
EXPOSE 8000
# No curl in the slim image: Node's global fetch. Ready means the database
# answers and no migration is pending.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/health/ready`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/usr/local/bin/entrypoint.sh"]
# The same command as `npm run start:prod` (test/containers checks it). A 32 MB
# young generation lets request-scoped objects die young instead of being
# promoted: under load the old space stays near the live set (bench/README.md).
CMD ["node", "--max-semi-space-size=32", "dist/src/server.js"]
