/** Injection token of the RpcClient to the accounts service (registered by RpcModule). */
export const ACCOUNTS_RPC = 'ACCOUNTS_RPC';
