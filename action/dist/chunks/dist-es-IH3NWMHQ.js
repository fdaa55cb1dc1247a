// draingate GitHub Action; third-party notices in action/dist/licenses.txt.
import { createRequire as __draingateCreateRequire } from 'node:module'; const require = __draingateCreateRequire(import.meta.url);
import{a,b,c,d,e,f,g}from"./chunk-JNRENTJU.js";import"./chunk-ONOUF4ZX.js";import"./chunk-XQYACWYI.js";import"./chunk-VGILORAZ.js";export{f as ENV_ACCOUNT_ID,e as ENV_CREDENTIAL_SCOPE,d as ENV_EXPIRATION,a as ENV_KEY,b as ENV_SECRET,c as ENV_SESSION,g as fromEnv};
