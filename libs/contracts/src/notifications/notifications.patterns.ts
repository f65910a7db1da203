/** Message patterns of the notifications service. */
export const NotificationsPatterns = {
  SendOtp: 'notifications.send-otp',
} as const;
