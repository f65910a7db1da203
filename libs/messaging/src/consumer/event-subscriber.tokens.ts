/** The resolved EventSubscriberOptions of the app's one subscriber (EventSubscriberModule.forRoot). */
export const SUBSCRIBER_OPTIONS = Symbol('SUBSCRIBER_OPTIONS');
/** The subscriber's @OnEvents handler instances, in the order forRoot listed them. */
export const SUBSCRIBER_HANDLERS = Symbol('SUBSCRIBER_HANDLERS');
