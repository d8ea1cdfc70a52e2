# syntax=docker/dockerfile:1
# The `almanac` command in an image: `docker compose up` runs it as `server` and `worker`
# (see "Operating Almanac" in the README). Build: docker build -t almanac .

# --- build: install and build exactly as the README does --------------------------------------
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json turbo.json tsconfig.base.json tsconfig.json ./
COPY packages ./packages
COPY apps ./apps
COPY examples ./examples
# `npm install`, not `npm ci`, as .ci/run explains: the lockfile leaves out other platforms'
# optional binaries. It still installs exactly the locked versions.
RUN npm install --no-audit --no-fund
RUN npm run build
# Only what `almanac` needs at run time: no TypeScript, turbo, biome or test tooling.
RUN npm prune --omit=dev --no-audit --no-fund

# --- run: Node 20, a non-root user, `almanac` as the entrypoint --------------------------------
FROM node:20-bookworm-slim
WORKDIR /app
COPY --from=build /app /app
# The example project, so the image starts as is; mount or copy your own over /project.
COPY --chown=node:node examples/nyc_taxi /project
RUN mkdir -p /home/node/.almanac && chown node:node /home/node/.almanac
ENV ALMANAC_PROJECT_DIR=/project \
    ALMANAC_HOME=/home/node/.almanac \
    ALMANAC_HOST=0.0.0.0 \
    PORT=3000 \
    ALMANAC_METRICS_PORT=9464
USER node
EXPOSE 3000 9464
ENTRYPOINT ["node", "apps/cli/bin/almanac.js"]
CMD ["serve"]
