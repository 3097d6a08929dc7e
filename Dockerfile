# Caravan's image: the controller and the node agent (same binary, different
# subcommands). The embedded control plane is for development and tests only
# and is not part of the image.
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
RUN npm ci --ignore-scripts
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /opt/caravan
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY charts/caravan/crds ./charts/caravan/crds
ENTRYPOINT ["/opt/caravan/bin/caravan"]
