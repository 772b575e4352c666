// Test helper: a local Microsoft Graph with a local Entra ID and the App Service managed identity endpoint, so
// that the real @azure/identity ManagedIdentityCredential gets the tokens the local Graph checks. Sets
// IDENTITY_ENDPOINT/IDENTITY_HEADER in this test process, as App Service does for the app.
import { FakeEntraId } from '../collector/fakeEntraId.js';
import { FakeManagedIdentityEndpoint } from '../collector/fakeManagedIdentityEndpoint.js';
import { FakeGraph, type DirectoryUser } from './fakeGraph.js';

export const IDENTITY_CLIENT_ID = '5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9';
export const IDENTITY_PRINCIPAL_ID = '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';

/** Ids and users of the stand-in tenant. */
export const MEMBER: DirectoryUser = {
  id: '11111111-aaaa-4bbb-8ccc-000000000001',
  displayName: 'Ada Member',
  userPrincipalName: 'ada@contoso.com',
  mail: 'ada.member@contoso.com',
  userType: 'Member',
};
export const GUEST: DirectoryUser = {
  id: '22222222-aaaa-4bbb-8ccc-000000000002',
  displayName: 'Gus Guest',
  userPrincipalName: 'gus_fabrikam.com#EXT#@contoso.onmicrosoft.com',
  mail: 'gus@fabrikam.com',
  userType: 'Guest',
};
/** An external participant: an object id of another tenant, unknown here (404). */
export const EXTERNAL_ID = '33333333-aaaa-4bbb-8ccc-000000000003';

export interface GraphStandIns {
  entra: FakeEntraId;
  identity: FakeManagedIdentityEndpoint;
  graph: FakeGraph;
  /** The app settings that turn the lookup on against the local Graph. */
  settings: Record<string, string>;
  close(): Promise<void>;
}

export async function startGraphStandIns(): Promise<GraphStandIns> {
  const entra = new FakeEntraId();
  const identity = await FakeManagedIdentityEndpoint.start(entra);
  identity.identities.set(IDENTITY_CLIENT_ID, IDENTITY_PRINCIPAL_ID);
  entra.appRoles.set(IDENTITY_PRINCIPAL_ID, ['User.Read.All']);
  const graph = await FakeGraph.start(entra);
  graph.add(MEMBER);
  graph.add(GUEST);
  Object.assign(process.env, identity.environment);
  return {
    entra,
    identity,
    graph,
    settings: {
      GRAPH_NAMES: 'true',
      GRAPH_BASE_URL: graph.baseUrl,
      GRAPH_MANAGED_IDENTITY_CLIENT_ID: IDENTITY_CLIENT_ID,
    },
    async close() {
      await graph.close();
      await identity.close();
    },
  };
}

/** A sleep that returns at once and records what it was asked to wait. */
export function recordingSleep(): { sleep: (ms: number) => Promise<void>; waits: number[] } {
  const waits: number[] = [];
  return {
    waits,
    sleep: async (ms: number) => {
      waits.push(ms);
    },
  };
}
