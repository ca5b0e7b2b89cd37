/** Image decoder child entry point when the trainer runs from TypeScript sources (tests, tsx). */
import { maybeRunImageDecoder } from './image-folder-process';

void maybeRunImageDecoder(process.argv).then((ran) => {
  if (!ran) {
    process.stderr.write('image-folder-entry.ts decodes image folders only; it was started without the decoder flag\n');
    process.exitCode = 2;
  }
});
