# syntax=docker/dockerfile:1
# One image recipe for every app: `docker build --build-arg APP=accounts -t bank/accounts .`
# The build stage has the dev dependencies (SWC) and compiles everything; the runtime stage has
# production dependencies only, the compiled dist/ and the migrate script, and runs as a non-root user.

FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json nest-cli.json ./
COPY scripts ./scripts
COPY libs ./libs
COPY apps ./apps
RUN npm run build

FROM node:20-slim AS production-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:20-slim AS runtime
ARG APP=orchestrator
ENV APP=${APP} \
    NODE_ENV=production
WORKDIR /app
COPY --chown=root:root package.json nest-cli.json ./
COPY --from=production-deps --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
# scripts/migrate.mjs and scripts/certs.mjs are the compose one-shots' commands; they need lib/ beside them.
COPY --chown=root:root scripts/migrate.mjs scripts/certs.mjs ./scripts/
COPY --chown=root:root scripts/lib ./scripts/lib
# Files stay root-owned and read-only for the app: the process cannot rewrite its own code.
USER node
# Shell form only to expand $APP; `exec` then replaces the shell, so node is PID 1 and gets SIGTERM itself.
CMD ["sh", "-c", "exec node --max-semi-space-size=8 --max-old-space-size=96 dist/apps/$APP/src/main.js"]
