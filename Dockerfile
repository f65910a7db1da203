# One image for every app: `docker build -t bank/app:local .`, then `docker run -e APP=accounts ...`.
# The app is chosen at run time (APP), never at build time, so every layer is shared: one
# node_modules, one dist/, whichever app a container runs. docker-compose.yml sets APP per service.
# The build stage has the dev dependencies (SWC) and compiles everything; the runtime stage has
# production dependencies only, the compiled dist/ and the scripts the one-shot services run, and
# runs as a non-root user. No `# syntax=` line: the builder's own Dockerfile frontend is enough, and
# BuildKit would otherwise fetch a frontend image from a registry before every build.

FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json nest-cli.json ./
# Only the build script: a change to another script must not rebuild dist/.
COPY scripts/build.mjs ./scripts/build.mjs
COPY libs ./libs
COPY apps ./apps
RUN npm run build

FROM node:20-slim AS production-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:20-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --chown=root:root package.json nest-cli.json ./
COPY --from=production-deps --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
# The compose one-shots run scripts/migrate.mjs and scripts/certs.mjs (they need lib/ beside them);
# the dev profile's `dev-ports` service runs scripts/dev-ports.mjs.
COPY --chown=root:root scripts/migrate.mjs scripts/certs.mjs scripts/dev-ports.mjs ./scripts/
COPY --chown=root:root scripts/lib ./scripts/lib
# Files stay root-owned and read-only for the app: the process cannot rewrite its own code.
USER node
# Shell form only to expand $APP (a missing APP stops here with a clear message); `exec` then
# replaces the shell, so node is PID 1 and gets SIGTERM itself.
CMD ["sh", "-c", "exec node --max-semi-space-size=8 --max-old-space-size=96 \"dist/apps/${APP:?set APP to the app to run, e.g. APP=accounts}/src/main.js\""]
