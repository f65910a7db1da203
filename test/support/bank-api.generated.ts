// Generated from docs/openapi.json (GET /docs-json) by `npm run docs` with openapi-typescript; do not edit.
// A unit test fails when it is stale.
export interface paths {
    "/accounts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The caller's accounts, oldest first, a page at a time
         * @description A read: one query to accounts (`list-accounts`). Publishes no event.
         */
        get: operations["listAccounts"];
        put?: never;
        /**
         * Open an account in a currency
         * @description **Orchestration**: one command to accounts (`open-account`), answered when the account exists. **Choreography** that follows: `account.opened` (from the accounts outbox; to audit, analytics and notifications).
         */
        post: operations["openAccount"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/accounts/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One account of the caller, with its balances
         * @description A read: one query to accounts (`get-account`). Someone else's account does not exist (404). Publishes no event.
         */
        get: operations["getAccount"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/accounts/{id}/deposits": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Deposit money from outside into an account of the caller
         * @description **Orchestration** (the deposit saga): book it in the ledger against the settlement account (`post-deposit`), then credit the account (`credit-deposit`); idempotent by Idempotency-Key. **Choreography** that follows: `deposit.completed` (from the orchestrator outbox; to audit and analytics).
         */
        post: operations["makeDeposit"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/accounts/{id}/statement": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * An account's booked entries, newest first
         * @description A read: the account from accounts (`get-account`), its entries from the ledger (`get-statement`). Publishes no event.
         */
        get: operations["getStatement"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/otp": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Send a 6-digit login code by SMS (an unknown phone registers on first verification)
         * @description No authentication. **Orchestration** (OTP login, step 1 and 2): the orchestrator asks auth for a challenge (`start-otp-challenge`), then notifications to send the sealed code (`send-otp`), and answers when both did. Publishes no event: the events follow the verification.
         */
        post: operations["startOtpLogin"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/otp/verify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Exchange the code for an access token
         * @description No authentication. **Orchestration** (OTP login, step 3): the orchestrator asks auth to verify the code (`verify-otp`) and answers with the token auth signed. **Choreography** that follows: `auth.otp_verified`, `customer.registered` on the first verification of a phone, or `auth.otp_locked` when the challenge dies after too many wrong codes (to audit, analytics and notifications; see GET /docs/asyncapi.yaml).
         */
        post: operations["verifyOtp"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Whether the orchestrator can reach its database and the broker
         * @description No authentication (load balancers and probes call it). Starts no pattern and publishes nothing.
         */
        get: operations["getHealth"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Prometheus metrics of the orchestrator
         * @description No authentication: it carries no business data. Starts no pattern and publishes nothing.
         */
        get: operations["getMetrics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/transfers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Move money from an account of the caller to another account
         * @description **Orchestration** (the transfer saga): reserve the funds at accounts (`reserve-funds`), book the double entry in the ledger (`post-transfer`), commit (`commit-funds`); on a refusal or an unanswered step it compensates (`reverse-transfer`, `release-funds`). Waits up to SAGA_SYNC_WAIT_MS, then answers 202 and finishes on its own. Idempotent by Idempotency-Key. **Choreography** that follows: `transfer.completed` or `transfer.failed` (from the orchestrator outbox; to audit, analytics and notifications, which texts the receiving customer). GET /transfers/{id} shows both halves.
         */
        post: operations["createTransfer"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/transfers/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One transfer: its saga steps and the events that followed
         * @description A read for the owner of either account: the saga row (the orchestrated half) and a timeline that asks audit, notifications and analytics when they recorded or handled its events (the choreographed half). Publishes no event.
         */
        get: operations["getTransfer"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        AccessTokenResponse: {
            /** @example eyJhbGciOiJFZERTQSIsImtpZCI6ImsxIn0.eyJzdWIiOiI2ZjFkIn0.c2lnbmF0dXJl */
            accessToken: string;
            /**
             * Format: uuid
             * @example 6f1d3c2a-5b4e-4f7a-9c8d-1e2f3a4b5c6d
             */
            customerId: string;
            /**
             * @description seconds
             * @example 900
             */
            expiresIn: number;
            /** @example Bearer */
            tokenType: string;
        };
        AccountResponse: {
            /**
             * @description balance minus holds of transfers in flight
             * @example 7500
             */
            availableBalance: number;
            /**
             * @description minor units
             * @example 8750
             */
            balance: number;
            /**
             * Format: date-time
             * @example 2026-12-01T12:00:00.000Z
             */
            createdAt: string;
            /** @example EUR */
            currency: string;
            /**
             * Format: uuid
             * @example 6f1d3c2a-5b4e-4f7a-9c8d-1e2f3a4b5c6d
             */
            customerId: string;
            /**
             * Format: uuid
             * @example 2c4e6a8b-0d1f-4e3a-9b5c-7d9e1f3a5b7c
             */
            id: string;
        };
        CreateTransferDto: {
            /**
             * @description minor units
             * @example 1250
             */
            amount: number;
            /** @example EUR */
            currency: string;
            /**
             * Format: uuid
             * @description any letter case; compared and answered in lower case
             * @example 2c4e6a8b-0d1f-4e3a-9b5c-7d9e1f3a5b7c
             */
            fromAccountId: string;
            /**
             * @description free text: no control characters, no lone surrogates
             * @example rent
             */
            reference?: string;
            /**
             * Format: uuid
             * @description any letter case; compared and answered in lower case
             * @example 8e6c4a2b-0f1d-4b3a-9e5c-7a9b1d3f5e7c
             */
            toAccountId: string;
        };
        DepositDto: {
            /**
             * @description minor units (1250 = 12.50)
             * @example 1250
             */
            amount: number;
        };
        DepositResponse: {
            /**
             * Format: uuid
             * @example 2c4e6a8b-0d1f-4e3a-9b5c-7d9e1f3a5b7c
             */
            accountId: string;
            /**
             * @description minor units
             * @example 10000
             */
            amount: number;
            /** @example EUR */
            currency: string;
            /** @description why a FAILED deposit was refused, e.g. BALANCE_LIMIT_EXCEEDED */
            failureCode?: string;
            /**
             * Format: uuid
             * @example 9d7b5f3a-1c2e-4d4f-8a6b-0c2e4f6a8b0d
             */
            id: string;
            /**
             * @example COMPLETED
             * @enum {string}
             */
            status: "COMPLETED" | "PENDING" | "FAILED";
        };
        OpenAccountDto: {
            /**
             * @description ISO 4217 upper-case code
             * @example EUR
             */
            currency: string;
        };
        OtpChallengeResponse: {
            /**
             * Format: uuid
             * @example 3e5a7c9b-1d3f-4b2a-9c4e-6f8a0b2d4c6e
             */
            challengeId: string;
            /**
             * Format: date-time
             * @example 2026-12-01T12:05:00.000Z
             */
            expiresAt: string;
        };
        /** @description RFC 9457 problem details with the stable machine `code` of the system (the `type` URI is derived from it). */
        Problem: {
            /**
             * @example INSUFFICIENT_FUNDS
             * @enum {string}
             */
            code: "VALIDATION_FAILED" | "UNAUTHORIZED" | "OTP_INVALID" | "OTP_EXPIRED" | "FORBIDDEN" | "CALLER_NOT_ALLOWED" | "DEVELOPMENT_ONLY" | "NOT_FOUND" | "ACCOUNT_NOT_FOUND" | "TRANSFER_NOT_FOUND" | "CHALLENGE_NOT_FOUND" | "EVENT_NOT_HANDLED" | "METHOD_NOT_ALLOWED" | "IDEMPOTENCY_IN_PROGRESS" | "PAYLOAD_TOO_LARGE" | "UNSUPPORTED_MEDIA_TYPE" | "INSUFFICIENT_FUNDS" | "CURRENCY_MISMATCH" | "IDEMPOTENCY_KEY_REUSED" | "INVALID_STATE" | "POSTING_VOIDED" | "OTP_SEAL_INVALID" | "BALANCE_LIMIT_EXCEEDED" | "ACCOUNT_LIMIT_REACHED" | "INJECTED_REFUSAL" | "OTP_LOCKED" | "OTP_RATE_LIMITED" | "INTERNAL" | "SERVICE_UNAVAILABLE" | "DEPENDENCY_TIMEOUT";
            deposit?: components["schemas"]["DepositResponse"];
            /**
             * Format: uuid
             * @description a refused deposit
             */
            depositId?: string;
            /** @example Account has 100 available, 1250 needed */
            detail: string;
            /**
             * Format: uri-reference
             * @example /transfers
             */
            instance: string;
            /** @description a rate limit: when to try again (also in Retry-After) */
            retryAfterSeconds?: number;
            /** @example 422 */
            status: number;
            /** @example Insufficient funds */
            title: string;
            /**
             * Format: uuid
             * @description a refused transfer: GET /transfers/{id} shows it FAILED with failureCode
             */
            transferId?: string;
            /**
             * Format: uri
             * @example https://bank.example/problems/insufficient-funds
             */
            type: string;
        } & {
            [key: string]: unknown;
        };
        RequestOtpDto: {
            /**
             * @description E.164 phone number
             * @example +4915112345678
             */
            phone: string;
        };
        StatementEntryResponse: {
            /**
             * @description signed: + credit, - debit
             * @example -1250
             */
            amount: number;
            /** @example 8750 */
            balanceAfter: number;
            /**
             * Format: uuid
             * @example 0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d
             */
            id: string;
            /**
             * Format: date-time
             * @example 2026-12-01T12:00:00.000Z
             */
            postedAt: string;
            /**
             * Format: uuid
             * @description the transfer, or the deposit, that booked it
             * @example 5a7c9e1b-3d5f-4a2c-8e4b-6d8f0a2c4e6b
             */
            transferId: string;
        };
        StatementResponse: {
            /**
             * Format: uuid
             * @example 2c4e6a8b-0d1f-4e3a-9b5c-7d9e1f3a5b7c
             */
            accountId: string;
            /** @example 8750 */
            balance: number;
            /** @example EUR */
            currency: string;
            entries: components["schemas"]["StatementEntryResponse"][];
            nextCursor: string | null;
        };
        TimelineEntryResponse: {
            /**
             * Format: date-time
             * @example 2026-12-01T12:00:00.000Z
             */
            at: string;
            /**
             * @description a subscriber's entry: after how many attempts it handled the event (1: the first delivery; each retry or redelivery adds one); absent once its inbox row is pruned; with a state, the attempts so far (all failed)
             * @example 1
             */
            attempts?: number;
            /**
             * @description with a state: the last failure's code (an error code, a driver code, or the error's class), never its message
             * @example 40001
             */
            errorCode?: string;
            /**
             * Format: uuid
             * @example 7b1e3f5a-9c2d-4e6f-8a0b-1c3d5e7f9a2b
             */
            eventId?: string;
            /**
             * @description parked: why, without the error message
             * @example gave up after 3 retries
             */
            reason?: string;
            /**
             * @description 'saga' for orchestrated steps; 'audit' (event recorded), 'notifications' or 'analytics' (event handled) for the choreographed half
             * @example audit
             */
            source: string;
            /**
             * @description a subscriber that has not handled the event but failed on it: 'retrying' (waiting in a retry queue) or 'parked' (in its dead-letter queue until redriven); absent on every other entry. Once the subscriber handles the event the entry is a handled one
             * @enum {string}
             */
            state?: "retrying" | "parked";
            /** @example transfer.completed handled */
            what: string;
        };
        TimelineResponse: {
            /** @description true when every service asked answered within TIMELINE_TIMEOUT_MS: audit, and notifications and analytics once the transfer published its final event ("not handled yet" is an answer). false: a part is missing, not empty; ask again later */
            complete: boolean;
            entries: components["schemas"]["TimelineEntryResponse"][];
            /**
             * @description the W3C trace id of the request that started the transfer, when tracing sampled it
             * @example 4bf92f3577b34da6a3ce929d0e0e4736
             */
            traceId?: string;
            /** @description that trace in the trace UI (TRACE_UI_URL), when set */
            traceUrl?: string;
        };
        TransferResponse: {
            /**
             * @description minor units
             * @example 1250
             */
            amount: number;
            /**
             * Format: date-time
             * @example 2026-12-01T12:00:00.120Z
             */
            completedAt?: string;
            /**
             * Format: date-time
             * @example 2026-12-01T12:00:00.000Z
             */
            createdAt: string;
            /** @example EUR */
            currency: string;
            /** @description why a FAILED transfer failed, e.g. INSUFFICIENT_FUNDS */
            failureCode?: string;
            /**
             * Format: uuid
             * @example 2c4e6a8b-0d1f-4e3a-9b5c-7d9e1f3a5b7c
             */
            fromAccountId: string;
            /**
             * Format: uuid
             * @example 5a7c9e1b-3d5f-4a2c-8e4b-6d8f0a2c4e6b
             */
            id: string;
            /** @example rent */
            reference: string | null;
            /**
             * @example COMPLETED
             * @enum {string}
             */
            status: "PENDING" | "COMPLETED" | "FAILED" | "NEEDS_ATTENTION";
            steps: components["schemas"]["TransferStepResponse"][];
            /**
             * Format: uuid
             * @example 8e6c4a2b-0f1d-4b3a-9e5c-7a9b1d3f5e7c
             */
            toAccountId: string;
        };
        TransferStepResponse: {
            /**
             * Format: date-time
             * @example 2026-12-01T12:00:00.000Z
             */
            at: string;
            /**
             * @description the error code of a FAILED step
             * @example INSUFFICIENT_FUNDS
             */
            code?: string;
            /**
             * @example RESERVE_FUNDS
             * @enum {string}
             */
            name: "RESERVE_FUNDS" | "POST_LEDGER" | "COMMIT_FUNDS" | "REVERSE_LEDGER" | "RELEASE_FUNDS";
            /**
             * @example SUCCEEDED
             * @enum {string}
             */
            status: "STARTED" | "SUCCEEDED" | "FAILED";
        };
        TransferWithTimelineResponse: {
            /**
             * @description minor units
             * @example 1250
             */
            amount: number;
            /**
             * Format: date-time
             * @example 2026-12-01T12:00:00.120Z
             */
            completedAt?: string;
            /**
             * Format: date-time
             * @example 2026-12-01T12:00:00.000Z
             */
            createdAt: string;
            /** @example EUR */
            currency: string;
            /** @description why a FAILED transfer failed, e.g. INSUFFICIENT_FUNDS */
            failureCode?: string;
            /**
             * Format: uuid
             * @example 2c4e6a8b-0d1f-4e3a-9b5c-7d9e1f3a5b7c
             */
            fromAccountId: string;
            /**
             * Format: uuid
             * @example 5a7c9e1b-3d5f-4a2c-8e4b-6d8f0a2c4e6b
             */
            id: string;
            /** @example rent */
            reference: string | null;
            /**
             * @example COMPLETED
             * @enum {string}
             */
            status: "PENDING" | "COMPLETED" | "FAILED" | "NEEDS_ATTENTION";
            steps: components["schemas"]["TransferStepResponse"][];
            /** @description both halves, by time: saga steps, and when audit recorded and the other subscribers handled its events */
            timeline: components["schemas"]["TimelineResponse"];
            /**
             * Format: uuid
             * @example 8e6c4a2b-0f1d-4b3a-9e5c-7a9b1d3f5e7c
             */
            toAccountId: string;
        };
        VerifyOtpDto: {
            /**
             * Format: uuid
             * @example 3e5a7c9b-1d3f-4b2a-9c4e-6f8a0b2d4c6e
             */
            challengeId: string;
            /**
             * @description the 6-digit code
             * @example 123456
             */
            code: string;
        };
    };
    responses: never;
    parameters: {
        /**
         * @description Travels with every command and event the request causes; made when absent or malformed; echoed in the answer.
         * @example c0ffee00-1234-4abc-8def-000000000001
         */
        CorrelationId: string;
    };
    requestBodies: never;
    headers: {
        /** @description The request's correlation id (given, or made) */
        CorrelationId: string;
        /** @description Seconds until the limit lets the request through */
        RetryAfter: number;
    };
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    listAccounts: {
        parameters: {
            query?: {
                /** @description where the next page starts: take it from the Link header (rel="next") of the previous page */
                cursor?: string;
                limit?: number;
            };
            header?: {
                /**
                 * @description Travels with every command and event the request causes; made when absent or malformed; echoed in the answer.
                 * @example c0ffee00-1234-4abc-8def-000000000001
                 */
                "X-Correlation-Id"?: components["parameters"]["CorrelationId"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description a page, oldest first; the Link header (rel="next") points to the next one when there is one */
            200: {
                headers: {
                    /** @description RFC 8288: `</accounts?limit=..&cursor=..>; rel="next"` when more follow */
                    Link?: string;
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AccountResponse"][];
                };
            };
            /** @description Bad request: `VALIDATION_FAILED` */
            400: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "VALIDATION_FAILED";
                    };
                };
            };
            /** @description Unauthorized: `UNAUTHORIZED` */
            401: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "UNAUTHORIZED";
                    };
                };
            };
            /** @description Internal error: `INTERNAL` */
            500: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "INTERNAL";
                    };
                };
            };
            /** @description Service unavailable: `SERVICE_UNAVAILABLE` */
            503: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SERVICE_UNAVAILABLE";
                    };
                };
            };
            /** @description Gateway timeout: `DEPENDENCY_TIMEOUT` */
            504: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "DEPENDENCY_TIMEOUT";
                    };
                };
            };
        };
    };
    openAccount: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Travels with every command and event the request causes; made when absent or malformed; echoed in the answer.
                 * @example c0ffee00-1234-4abc-8def-000000000001
                 */
                "X-Correlation-Id"?: components["parameters"]["CorrelationId"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["OpenAccountDto"];
            };
        };
        responses: {
            /** @description the new account, balance 0 */
            201: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AccountResponse"];
                };
            };
            /** @description Bad request: `VALIDATION_FAILED` */
            400: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "VALIDATION_FAILED";
                    };
                };
            };
            /** @description Unauthorized: `UNAUTHORIZED` */
            401: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "UNAUTHORIZED";
                    };
                };
            };
            /** @description Content too large: `PAYLOAD_TOO_LARGE` */
            413: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "PAYLOAD_TOO_LARGE";
                    };
                };
            };
            /** @description Unsupported media type: `UNSUPPORTED_MEDIA_TYPE` */
            415: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "UNSUPPORTED_MEDIA_TYPE";
                    };
                };
            };
            /** @description the customer has as many accounts as one may open (ACCOUNTS_MAX_PER_CUSTOMER) (`ACCOUNT_LIMIT_REACHED`) */
            422: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "ACCOUNT_LIMIT_REACHED";
                    };
                };
            };
            /** @description Internal error: `INTERNAL` */
            500: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "INTERNAL";
                    };
                };
            };
            /** @description Service unavailable: `SERVICE_UNAVAILABLE` */
            503: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SERVICE_UNAVAILABLE";
                    };
                };
            };
            /** @description Gateway timeout: `DEPENDENCY_TIMEOUT` */
            504: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "DEPENDENCY_TIMEOUT";
                    };
                };
            };
        };
    };
    getAccount: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Travels with every command and event the request causes; made when absent or malformed; echoed in the answer.
                 * @example c0ffee00-1234-4abc-8def-000000000001
                 */
                "X-Correlation-Id"?: components["parameters"]["CorrelationId"];
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the account */
            200: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AccountResponse"];
                };
            };
            /** @description Bad request: `VALIDATION_FAILED` */
            400: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "VALIDATION_FAILED";
                    };
                };
            };
            /** @description Unauthorized: `UNAUTHORIZED` */
            401: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "UNAUTHORIZED";
                    };
                };
            };
            /** @description Not found: `ACCOUNT_NOT_FOUND` */
            404: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "ACCOUNT_NOT_FOUND";
                    };
                };
            };
            /** @description Internal error: `INTERNAL` */
            500: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "INTERNAL";
                    };
                };
            };
            /** @description Service unavailable: `SERVICE_UNAVAILABLE` */
            503: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SERVICE_UNAVAILABLE";
                    };
                };
            };
            /** @description Gateway timeout: `DEPENDENCY_TIMEOUT` */
            504: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "DEPENDENCY_TIMEOUT";
                    };
                };
            };
        };
    };
    makeDeposit: {
        parameters: {
            query?: never;
            header: {
                /** @description 1-255 printable ASCII characters; same key and body: the first answer again */
                "Idempotency-Key": string;
                /**
                 * @description Travels with every command and event the request causes; made when absent or malformed; echoed in the answer.
                 * @example c0ffee00-1234-4abc-8def-000000000001
                 */
                "X-Correlation-Id"?: components["parameters"]["CorrelationId"];
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["DepositDto"];
            };
        };
        responses: {
            /** @description money entering from outside, booked against the settlement account */
            201: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DepositResponse"];
                };
            };
            /** @description PENDING: still running, finishes on its own */
            202: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DepositResponse"];
                };
            };
            /** @description Bad request: `VALIDATION_FAILED` */
            400: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "VALIDATION_FAILED";
                    };
                };
            };
            /** @description Unauthorized: `UNAUTHORIZED` */
            401: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "UNAUTHORIZED";
                    };
                };
            };
            /** @description Not found: `ACCOUNT_NOT_FOUND` */
            404: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "ACCOUNT_NOT_FOUND";
                    };
                };
            };
            /** @description Conflict: `IDEMPOTENCY_IN_PROGRESS` */
            409: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "IDEMPOTENCY_IN_PROGRESS";
                    };
                };
            };
            /** @description Content too large: `PAYLOAD_TOO_LARGE` */
            413: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "PAYLOAD_TOO_LARGE";
                    };
                };
            };
            /** @description Unsupported media type: `UNSUPPORTED_MEDIA_TYPE` */
            415: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "UNSUPPORTED_MEDIA_TYPE";
                    };
                };
            };
            /** @description refused (the balance would pass the cap), or the key was used for another request; a refused deposit is FAILED: the body carries depositId and deposit (status FAILED, failureCode) (`BALANCE_LIMIT_EXCEEDED`, `IDEMPOTENCY_KEY_REUSED`) */
            422: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "BALANCE_LIMIT_EXCEEDED" | "IDEMPOTENCY_KEY_REUSED";
                    };
                };
            };
            /** @description Internal error: `INTERNAL` */
            500: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "INTERNAL";
                    };
                };
            };
            /** @description Service unavailable: `SERVICE_UNAVAILABLE` */
            503: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SERVICE_UNAVAILABLE";
                    };
                };
            };
            /** @description Gateway timeout: `DEPENDENCY_TIMEOUT` */
            504: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "DEPENDENCY_TIMEOUT";
                    };
                };
            };
        };
    };
    getStatement: {
        parameters: {
            query?: {
                /** @description nextCursor of the previous page */
                cursor?: string;
                limit?: number;
            };
            header?: {
                /**
                 * @description Travels with every command and event the request causes; made when absent or malformed; echoed in the answer.
                 * @example c0ffee00-1234-4abc-8def-000000000001
                 */
                "X-Correlation-Id"?: components["parameters"]["CorrelationId"];
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description a page of the statement; nextCursor is null on the last page */
            200: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["StatementResponse"];
                };
            };
            /** @description Bad request: `VALIDATION_FAILED` */
            400: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "VALIDATION_FAILED";
                    };
                };
            };
            /** @description Unauthorized: `UNAUTHORIZED` */
            401: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "UNAUTHORIZED";
                    };
                };
            };
            /** @description Not found: `ACCOUNT_NOT_FOUND` */
            404: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "ACCOUNT_NOT_FOUND";
                    };
                };
            };
            /** @description Internal error: `INTERNAL` */
            500: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "INTERNAL";
                    };
                };
            };
            /** @description Service unavailable: `SERVICE_UNAVAILABLE` */
            503: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SERVICE_UNAVAILABLE";
                    };
                };
            };
            /** @description Gateway timeout: `DEPENDENCY_TIMEOUT` */
            504: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "DEPENDENCY_TIMEOUT";
                    };
                };
            };
        };
    };
    startOtpLogin: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Travels with every command and event the request causes; made when absent or malformed; echoed in the answer.
                 * @example c0ffee00-1234-4abc-8def-000000000001
                 */
                "X-Correlation-Id"?: components["parameters"]["CorrelationId"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RequestOtpDto"];
            };
        };
        responses: {
            /** @description the code is on its way; verify it before expiresAt */
            202: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OtpChallengeResponse"];
                };
            };
            /** @description Bad request: `VALIDATION_FAILED` */
            400: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "VALIDATION_FAILED";
                    };
                };
            };
            /** @description Content too large: `PAYLOAD_TOO_LARGE` */
            413: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "PAYLOAD_TOO_LARGE";
                    };
                };
            };
            /** @description Unsupported media type: `UNSUPPORTED_MEDIA_TYPE` */
            415: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "UNSUPPORTED_MEDIA_TYPE";
                    };
                };
            };
            /** @description OTP_RATE_LIMITED (per phone, per source address, SMS budget), with Retry-After (`OTP_RATE_LIMITED`) */
            429: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "OTP_RATE_LIMITED";
                    };
                };
            };
            /** @description Internal error: `INTERNAL` */
            500: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "INTERNAL";
                    };
                };
            };
            /** @description Service unavailable: `SERVICE_UNAVAILABLE` */
            503: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SERVICE_UNAVAILABLE";
                    };
                };
            };
            /** @description Gateway timeout: `DEPENDENCY_TIMEOUT` */
            504: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "DEPENDENCY_TIMEOUT";
                    };
                };
            };
        };
    };
    verifyOtp: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Travels with every command and event the request causes; made when absent or malformed; echoed in the answer.
                 * @example c0ffee00-1234-4abc-8def-000000000001
                 */
                "X-Correlation-Id"?: components["parameters"]["CorrelationId"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["VerifyOtpDto"];
            };
        };
        responses: {
            /** @description the code was right: a Bearer token for the customer */
            200: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AccessTokenResponse"];
                };
            };
            /** @description Bad request: `VALIDATION_FAILED` */
            400: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "VALIDATION_FAILED";
                    };
                };
            };
            /** @description Unauthorized: `OTP_EXPIRED`, `OTP_INVALID` */
            401: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "OTP_EXPIRED" | "OTP_INVALID";
                    };
                };
            };
            /** @description Not found: `CHALLENGE_NOT_FOUND` */
            404: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "CHALLENGE_NOT_FOUND";
                    };
                };
            };
            /** @description Content too large: `PAYLOAD_TOO_LARGE` */
            413: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "PAYLOAD_TOO_LARGE";
                    };
                };
            };
            /** @description Unsupported media type: `UNSUPPORTED_MEDIA_TYPE` */
            415: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "UNSUPPORTED_MEDIA_TYPE";
                    };
                };
            };
            /** @description OTP_LOCKED (this challenge), or OTP_RATE_LIMITED (too many wrong codes for the phone) with Retry-After (`OTP_LOCKED`, `OTP_RATE_LIMITED`) */
            429: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "OTP_LOCKED" | "OTP_RATE_LIMITED";
                    };
                };
            };
            /** @description Internal error: `INTERNAL` */
            500: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "INTERNAL";
                    };
                };
            };
            /** @description Service unavailable: `SERVICE_UNAVAILABLE` */
            503: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SERVICE_UNAVAILABLE";
                    };
                };
            };
            /** @description Gateway timeout: `DEPENDENCY_TIMEOUT` */
            504: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "DEPENDENCY_TIMEOUT";
                    };
                };
            };
        };
    };
    getHealth: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Travels with every command and event the request causes; made when absent or malformed; echoed in the answer.
                 * @example c0ffee00-1234-4abc-8def-000000000001
                 */
                "X-Correlation-Id"?: components["parameters"]["CorrelationId"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description database and broker answer */
            200: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "status": "ok",
                     *       "info": {
                     *         "database": {
                     *           "status": "up"
                     *         },
                     *         "broker": {
                     *           "status": "up"
                     *         }
                     *       },
                     *       "error": {},
                     *       "details": {}
                     *     }
                     */
                    "application/json": {
                        /** @enum {string} */
                        status?: "ok";
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Internal error: `INTERNAL` */
            500: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "INTERNAL";
                    };
                };
            };
            /** @description Service unavailable: `SERVICE_UNAVAILABLE` */
            503: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SERVICE_UNAVAILABLE";
                    };
                };
            };
        };
    };
    getMetrics: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Travels with every command and event the request causes; made when absent or malformed; echoed in the answer.
                 * @example c0ffee00-1234-4abc-8def-000000000001
                 */
                "X-Correlation-Id"?: components["parameters"]["CorrelationId"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Prometheus text exposition format 0.0.4 */
            200: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    /** @example saga_step_duration_seconds_count{step="RESERVE_FUNDS"} 12 */
                    "text/plain": string;
                };
            };
            /** @description Internal error: `INTERNAL` */
            500: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "INTERNAL";
                    };
                };
            };
            /** @description Service unavailable: `SERVICE_UNAVAILABLE` */
            503: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SERVICE_UNAVAILABLE";
                    };
                };
            };
        };
    };
    createTransfer: {
        parameters: {
            query?: never;
            header: {
                /** @description 1-255 printable ASCII characters; same key and body: the first answer again */
                "Idempotency-Key": string;
                /**
                 * @description Travels with every command and event the request causes; made when absent or malformed; echoed in the answer.
                 * @example c0ffee00-1234-4abc-8def-000000000001
                 */
                "X-Correlation-Id"?: components["parameters"]["CorrelationId"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateTransferDto"];
            };
        };
        responses: {
            /** @description a replayed key of a transfer that failed for a technical reason: its current state (FAILED, failureCode) */
            200: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TransferResponse"];
                };
            };
            /** @description COMPLETED within the request */
            201: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TransferResponse"];
                };
            };
            /** @description PENDING: still running, finishes on its own (see Location) */
            202: {
                headers: {
                    /** @description where the transfer is: /transfers/{id} */
                    Location?: string;
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TransferResponse"];
                };
            };
            /** @description Bad request: `VALIDATION_FAILED` */
            400: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "VALIDATION_FAILED";
                    };
                };
            };
            /** @description Unauthorized: `UNAUTHORIZED` */
            401: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "UNAUTHORIZED";
                    };
                };
            };
            /** @description Not found: `ACCOUNT_NOT_FOUND` */
            404: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "ACCOUNT_NOT_FOUND";
                    };
                };
            };
            /** @description Conflict: `IDEMPOTENCY_IN_PROGRESS` */
            409: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "IDEMPOTENCY_IN_PROGRESS";
                    };
                };
            };
            /** @description Content too large: `PAYLOAD_TOO_LARGE` */
            413: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "PAYLOAD_TOO_LARGE";
                    };
                };
            };
            /** @description Unsupported media type: `UNSUPPORTED_MEDIA_TYPE` */
            415: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "UNSUPPORTED_MEDIA_TYPE";
                    };
                };
            };
            /** @description refused by the business (ACCOUNT_NOT_FOUND: the destination; BALANCE_LIMIT_EXCEEDED: the destination is full), or the key was used for another request; a refusal carries transferId (`ACCOUNT_NOT_FOUND`, `BALANCE_LIMIT_EXCEEDED`, `CURRENCY_MISMATCH`, `IDEMPOTENCY_KEY_REUSED`, `INSUFFICIENT_FUNDS`, `VALIDATION_FAILED`) */
            422: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "ACCOUNT_NOT_FOUND" | "BALANCE_LIMIT_EXCEEDED" | "CURRENCY_MISMATCH" | "IDEMPOTENCY_KEY_REUSED" | "INSUFFICIENT_FUNDS" | "VALIDATION_FAILED";
                    };
                };
            };
            /** @description Internal error: `INTERNAL` */
            500: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "INTERNAL";
                    };
                };
            };
            /** @description failed for a technical reason and compensated (nothing moved), or a dependency is down: try again; a replay of the key answers the current state (`SERVICE_UNAVAILABLE`) */
            503: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SERVICE_UNAVAILABLE";
                    };
                };
            };
            /** @description Gateway timeout: `DEPENDENCY_TIMEOUT` */
            504: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "DEPENDENCY_TIMEOUT";
                    };
                };
            };
        };
    };
    getTransfer: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Travels with every command and event the request causes; made when absent or malformed; echoed in the answer.
                 * @example c0ffee00-1234-4abc-8def-000000000001
                 */
                "X-Correlation-Id"?: components["parameters"]["CorrelationId"];
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the transfer with its timeline */
            200: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TransferWithTimelineResponse"];
                };
            };
            /** @description Bad request: `VALIDATION_FAILED` */
            400: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "VALIDATION_FAILED";
                    };
                };
            };
            /** @description Unauthorized: `UNAUTHORIZED` */
            401: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "UNAUTHORIZED";
                    };
                };
            };
            /** @description Not found: `TRANSFER_NOT_FOUND` */
            404: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "TRANSFER_NOT_FOUND";
                    };
                };
            };
            /** @description Internal error: `INTERNAL` */
            500: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "INTERNAL";
                    };
                };
            };
            /** @description Service unavailable: `SERVICE_UNAVAILABLE` */
            503: {
                headers: {
                    "X-Correlation-Id": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SERVICE_UNAVAILABLE";
                    };
                };
            };
        };
    };
}
