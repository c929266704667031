/** An error as the AWS SDK throws it for a service's answer: its name is the error code. */
export function awsError(name: string, message = name): Error {
  return Object.assign(new Error(message), { name, $metadata: {} });
}
