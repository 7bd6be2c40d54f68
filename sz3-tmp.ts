import { enabledTools } from './src/server/create.js';
import { compile } from './src/server/tool-definitions.js';
let pd=0, names=0, props=0;
for (const t of enabledTools({ readOnly: false, localFiles: {} } as never)) { const d = compile(t).definition; for (const [k,v] of Object.entries((d.inputSchema as any).properties ?? {})) { props++; if ((v as any).description) { pd += (v as any).description.length; console.log(d.name, k, (v as any).description); } } }
console.log({pd, props});
