/** Message patterns of the auth service. */
export const AuthPatterns = {
  StartOtpChallenge: 'auth.start-otp-challenge',
  VerifyOtp: 'auth.verify-otp',
  GetSigningKeys: 'auth.get-signing-keys',
} as const;
