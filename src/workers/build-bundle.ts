/** `npm run build` step: writes the pre-built workflow bundle next to dist/. */
import { prebuiltBundlePath, writeWorkflowBundle } from './bundle';

writeWorkflowBundle(prebuiltBundlePath()).then(
  (file) => console.log(`workflow bundle written to ${file}`),
  (err: unknown) => {
    console.error('failed to bundle workflows:', err);
    process.exit(1);
  },
);
