# syntax=docker/dockerfile:1
# Multi-stage build of @switchyard/chat-gateway: compile in a full workspace, ship production dependencies only.
FROM node:24-bookworm-slim AS base
ENV COREPACK_INTEGRITY_KEYS=0 PNPM_HOME=/pnpm PATH=/pnpm:$PATH
RUN corepack enable
WORKDIR /workspace

FROM base AS build
COPY . .
# The gateway's dependencies include the web console (a devDependency), so this builds its static files too.
RUN pnpm install --frozen-lockfile \
 && pnpm turbo run build --filter=@switchyard/chat-gateway... \
 && pnpm deploy --legacy --filter=@switchyard/chat-gateway --prod /deploy

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=node:node /deploy ./
# Beside /app as apps/console is beside apps/chat-gateway in the repo: the gateway's default CONSOLE_DIST_DIR.
COPY --from=build --chown=node:node /workspace/apps/console/dist /console/dist
USER node
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8000/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/server.js"]
