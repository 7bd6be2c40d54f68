// What the bundle takes from undici, in place of its index: the index loads every part of undici
// (mock agents, caches, WebSocket, EventSource, ...), about 1.3 MB bundled, and the Kubernetes client
// waited for it on the first call of a session. Any other name imported from 'undici' fails the build.
import api from 'undici/lib/api/index.js';
import agent from 'undici/lib/dispatcher/agent.js';
import dispatcher from 'undici/lib/dispatcher/dispatcher.js';
import proxyAgent from 'undici/lib/dispatcher/proxy-agent.js';
import dispatcherGlobal from 'undici/lib/global.js';
import webFetch from 'undici/lib/web/fetch/index.js';

// As undici's index does: the request, stream, pipeline, connect and upgrade methods of every dispatcher,
// which ProxyAgent uses to open its tunnel.
Object.assign(dispatcher.prototype, api);

export const Agent = agent;
export const ProxyAgent = proxyAgent;
export const getGlobalDispatcher = dispatcherGlobal.getGlobalDispatcher;
export const setGlobalDispatcher = dispatcherGlobal.setGlobalDispatcher;
export const fetch = webFetch.fetch;
