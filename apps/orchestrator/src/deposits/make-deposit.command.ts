/** A customer's deposit request as the controller validated it. */
export class MakeDepositCommand {
  constructor(
    readonly customerId: string,
    readonly accountId: string,
    readonly amount: number,
    readonly idempotencyKey: string,
    readonly correlationId: string,
  ) {}
}
