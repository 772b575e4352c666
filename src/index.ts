// App-wide setup of the function app (loaded first by the host, through package.json `main`).
// Functions are registered by the modules in src/functions; the storage clients they share are built
// lazily on first use (src/pipeline/services.ts).
import { app } from '@azure/functions';

// Handlers return whole bodies; no HTTP streaming needed.
app.setup({ enableHttpStream: false });
