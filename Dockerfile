# Policy assistant service: HTTP API on port 3000, SQLite file on the /data volume.
#   docker build -t policy-bot .
#   docker run -p 3000:3000 -v policy-bot-data:/data policy-bot

# ---- build: compile TypeScript and the native modules (better-sqlite3, nodejieba) ----
FROM node:24-bookworm-slim AS build
WORKDIR /app
# nodejieba builds from source when its prebuilt binary cannot be downloaded;
# better-sqlite3 likewise when no prebuilt matches.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
# .npmrc carries yes=true, without which nodejieba's install script (npx) fails non-interactively.
COPY package.json package-lock.json .npmrc ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY policy ./policy
COPY intents ./intents
COPY scripts ./scripts
RUN npm run build && npm prune --omit=dev

# ---- runtime ----
FROM node:24-bookworm-slim
# MALLOC_ARENA_MAX=2, MALLOC_MMAP_THRESHOLD_=262144, MIMALLOC_ARENA_EAGER_COMMIT=0,
# --max-semi-space-size=2, --heap-growing-percent=25 and --no-sparkplug (below): the memory settings of
# `npm start` (docs/performance.md): fewer malloc arenas, blocks of 256 KB and more in mappings
# of their own and glibc's thresholds fixed (it otherwise raises them as large blocks are freed,
# and keeps what is freed below them), jieba's allocator (mimalloc) committing its
# arena as used rather than up front, a young generation kept at 2 MB, and the old generation
# collected when it has grown by a quarter rather than letting it double, and no baseline
# (Sparkplug) machine code beside the bytecode: the hot code is optimized by TurboFan anyway.
ENV NODE_ENV=production \
    MALLOC_ARENA_MAX=2 \
    MALLOC_MMAP_THRESHOLD_=262144 \
    MIMALLOC_ARENA_EAGER_COMMIT=0 \
    HOST=0.0.0.0 \
    PORT=3000 \
    DB_PATH=/data/bot.db
WORKDIR /app
# Code stays root-owned and read-only to the service; only /data is writable.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# database.ts reads migrations from src/store/migrations even when running from dist/.
COPY --from=build /app/src/store/migrations ./src/store/migrations
# The web pages' stylesheet and script, read at start like the migrations.
COPY --from=build /app/src/web/assets ./src/web/assets
# Data files read at start: the policy documents and the intents, replies and user dictionary.
COPY --from=build /app/policy ./policy
COPY --from=build /app/intents ./intents
RUN mkdir -p /data && chown node:node /data
VOLUME /data
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--max-semi-space-size=2", "--heap-growing-percent=25", "--no-sparkplug", "dist/src/main.js"]
