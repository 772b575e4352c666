// Registers the resource factory that @azure/functions asks for a client when a binding declared with
// `sdkBinding: true` receives model binding data instead of bytes. The library looks factories up by the
// data's `source` in ResourceFactoryResolver (@azure/functions-extensions-base, a dependency of
// @azure/functions); the usual companion package, @azure/functions-extensions-blob, is not used: this
// factory returns a plain BlobClient built from the app's own connection settings.
import Module from 'node:module';
import type { ResourceFactoryResolver } from '@azure/functions-extensions-base';
import { BLOB_BINDING_SOURCE, BindingBlobClients, BlobBindingError } from '../storage/bindingBlobClient.js';

/**
 * The resolver instance the library itself uses: required through @azure/functions, so it is the same
 * module even if the package manager ever nests a second copy of the base package.
 */
export function libraryResourceFactoryResolver(): ResourceFactoryResolver {
  const requireFromHere = Module.createRequire(__filename);
  const requireFromLibrary = Module.createRequire(requireFromHere.resolve('@azure/functions'));
  const base = requireFromLibrary(
    '@azure/functions-extensions-base',
  ) as typeof import('@azure/functions-extensions-base');
  return base.ResourceFactoryResolver.getInstance();
}

/**
 * Registers the blob factory once per process. When another factory for blobs is already registered
 * (the companion package), that one stays; ingestExport accepts its client too.
 * Returns whether ours is the registered one.
 */
export function registerBlobClientFactory(
  resolver: ResourceFactoryResolver = libraryResourceFactoryResolver(),
  clients: BindingBlobClients = new BindingBlobClients(),
): boolean {
  if (resolver.hasResourceFactory(BLOB_BINDING_SOURCE)) return false;
  resolver.registerResourceFactory(BLOB_BINDING_SOURCE, (data) => {
    if (Array.isArray(data)) throw new BlobBindingError('A blob binding receives one blob, not a collection');
    return clients.clientFor(data);
  });
  return true;
}
