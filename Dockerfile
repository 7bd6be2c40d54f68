# The image deploy/ runs: Node 24, the built server and its production dependencies, as user 65532.
FROM node:24-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src src
COPY tools tools
COPY build build
RUN npm run build && npm prune --omit=dev

FROM node:24-slim
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules node_modules
COPY --from=build /src/dist dist
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["node", "/app/dist/cli.js"]
CMD ["--transport=http", "--host=0.0.0.0", "--port=8080"]
