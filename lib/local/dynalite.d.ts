// Minimal typings for dynalite (the package ships none): only what lib/local uses.
declare module 'dynalite' {
  import type { Server } from 'node:http';

  namespace dynalite {
    interface Options {
      /** Milliseconds a new table stays CREATING (default 500). */
      createTableMs?: number;
      /** Milliseconds a deleted table stays DELETING (default 500). */
      deleteTableMs?: number;
      /** Milliseconds an updated table stays UPDATING (default 500). */
      updateTableMs?: number;
      /** Maximum item size in KB (default 400). */
      maxItemSizeKb?: number;
      /** LevelDB directory; in memory when omitted. */
      path?: string;
      verbose?: boolean;
      debug?: boolean;
    }
  }

  /** Creates (but does not start) an HTTP server speaking the DynamoDB JSON protocol. */
  function dynalite(options?: dynalite.Options): Server;

  export = dynalite;
}
