// Placeholder until helper B's form arrives (B replaces this file).
export function mountForm(panel) {}
