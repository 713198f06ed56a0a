/** Whether a container user (`name` or `uid`, optionally `:group`) is root. */
export function isRootUser(user: string): boolean {
  return /^(root|0)(:.*)?$/.test(user.trim());
}
