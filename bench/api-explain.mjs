export async function explainPlans() {
  return undefined;
}
