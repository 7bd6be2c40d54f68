// The floor of a tool call over stdio: a bare MCP SDK server that lists the tools given in a file and answers
// every tools/call with the answer recorded in that file, doing no work. A call to it costs what the SDK
// client and server and the pipe between them cost for an answer of that size, nothing else.
// Usage: node bench/replay-server.mjs <file with {"tools": [...], "answer": {...}}>
import { readFileSync } from 'node:fs';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';

const { tools, answer } = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const server = new Server({ name: 'replay', version: '0.0.0' }, { capabilities: { tools: {} } });
server.setRequestHandler(ListToolsRequestSchema, () => ({ tools }));
server.setRequestHandler(CallToolRequestSchema, () => answer);
await server.connect(new StdioServerTransport());
