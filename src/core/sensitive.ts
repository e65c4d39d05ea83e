/**
 * Sensitive classes: kinds of products whose purchase or viewing can reveal a
 * special category of personal data (GDPR Art. 9) or concern a vulnerable
 * person. Pertinent never infers interest in them; they are used only when the
 * subject declared the interest and consented explicitly for that class, or
 * when the item is the context of the current page.
 *
 * @example
 * isSensitiveClass('health'); // true
 */
export const SENSITIVE_CLASSES = [
  'health',
  'pregnancy_baby',
  'sexual_life',
  'religion',
  'political',
  'ethnic_origin',
  'finance_credit',
  'children',
] as const;

export type SensitiveClass = (typeof SENSITIVE_CLASSES)[number];

export const SENSITIVE_CLASS_DESCRIPTIONS: Record<SensitiveClass, string> = {
  health: 'Health and medical: medicines, medical devices, treatments, health tests',
  pregnancy_baby: 'Pregnancy and baby: pregnancy tests, maternity, prenatal care, baby products',
  sexual_life: 'Sexual life and orientation: contraception, sexual wellness, LGBTQ+-specific products',
  religion: 'Religion and beliefs: religious texts, items of worship, faith-specific products',
  political: 'Political opinions: political merchandise, publications, causes',
  ethnic_origin: 'Racial or ethnic origin: products marketed by ethnicity',
  finance_credit: 'Finance and credit: loans, credit, debt, insurance, financial hardship',
  children: 'Products for children: toys, children’s clothing and other products whose buyer may be a minor',
};

export function isSensitiveClass(value: string): value is SensitiveClass {
  return (SENSITIVE_CLASSES as readonly string[]).includes(value);
}
