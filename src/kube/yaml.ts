// YAML, loaded on first use through this module (it is not needed to answer initialize). A module of our own
// in between keeps the named exports whatever module format the yaml package is bundled in.
export { isMap, parseAllDocuments, stringify } from 'yaml';
