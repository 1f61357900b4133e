export const measuresBuild: boolean;
export const measuredCode: string;
export function productModule<T>(path: string): Promise<T>;
