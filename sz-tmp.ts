import { enabledTools } from './src/server/create.js';
import { compile } from './src/server/tool-definitions.js';
let tot=0;
for (const t of enabledTools({ readOnly: false, localFiles: true } as never)) { const d = compile(t).definition; const n = JSON.stringify({name:d.name,description:d.description,inputSchema:d.inputSchema}).length; tot+=n; console.log(d.name.padEnd(30), n, d.description!.length, JSON.stringify(d.inputSchema).length); }
console.log('total', tot);
