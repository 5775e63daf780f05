# Weft: one image for `weft worker` and `weft api` (the command picks which).
FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles from source when no prebuilt binary can be fetched.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production WEFT_LOG_FORMAT=json WEFT_DAGS_DIR=/app/dags WEFT_DATA_DIR=/var/lib/weft
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
# Your DAG definitions and activity modules: mount or COPY them here.
COPY examples ./dags
RUN mkdir -p /var/lib/weft && chown node:node /var/lib/weft
USER node
# tsx's require hook lets activity modules be TypeScript.
ENTRYPOINT ["node", "--require", "tsx/cjs", "dist/cli/main.js"]
CMD ["worker"]
