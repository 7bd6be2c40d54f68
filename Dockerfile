# The image the Helm chart and deploy/ run: Node 24 and the npm package, installed from the same `npm pack`
# tarball that is published to npm (no dependencies: the bundle holds them), as user 65532.
FROM node:24-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json README.md LICENSE ./
COPY src src
COPY tools tools
COPY build build
RUN npm run build && npm pack --pack-destination /tmp && mv /tmp/flux-ops-mcp-*.tgz /tmp/flux-ops-mcp.tgz

FROM node:24-slim
LABEL io.modelcontextprotocol.server.name="io.github.flux-ops-mcp/flux-ops-mcp"
RUN --mount=type=bind,from=build,source=/tmp/flux-ops-mcp.tgz,target=/tmp/flux-ops-mcp.tgz \
    npm install --global --offline --no-audit --no-fund /tmp/flux-ops-mcp.tgz && npm cache clean --force
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["flux-ops-mcp"]
CMD ["--transport=http", "--host=0.0.0.0", "--port=8080"]
