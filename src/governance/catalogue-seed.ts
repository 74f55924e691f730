/**
 * The seed of the governance catalogue (GOV-1), as data: every requirement the catalogue starts
 * with, in order, each `not-assessed` until someone assesses it. Loaded into
 * `governance_requirements` the first time the catalogue is read; later edits of this file add
 * the requirements that are missing and never overwrite an assessment.
 *
 * Sources (read 2026-12-07):
 * - Directive (EU) 2022/2555 (NIS2), Article 21(2), points (a) to (j): titles shortened from the
 *   Official Journal text, OJ L 333, 27.12.2022, https://eur-lex.europa.eu/eli/dir/2022/2555/oj
 * - Commission Implementing Regulation (EU) 2024/2690 of 17 October 2024, Annex, section
 *   headings 1 to 13, https://eur-lex.europa.eu/eli/reg_impl/2024/2690/oj
 * - ISO/IEC 27001:2022, Annex A, Table A.1: the 93 control numbers and titles (37 organizational,
 *   8 people, 14 physical, 34 technological). Only ids and titles: the control text is ISO's.
 *
 * `evidence` pre-links the live evidence metrics (live-evidence.ts) the running system computes
 * for a requirement; they are links, not a status: an assessor still sets the status.
 */

/** The seed's provenance, carried into every bundle that includes the catalogue. */
export const catalogueSource = {
  date: '2026-12-07',
  sources: [
    'Directive (EU) 2022/2555 (NIS2), Art. 21(2)(a)-(j), https://eur-lex.europa.eu/eli/dir/2022/2555/oj',
    'Commission Implementing Regulation (EU) 2024/2690, Annex sections 1-13, https://eur-lex.europa.eu/eli/reg_impl/2024/2690/oj',
    'ISO/IEC 27001:2022 Annex A, Table A.1 (control ids and titles only)',
  ],
} as const;

/** The frameworks of the catalogue. */
export const frameworks = ['nis2-art21', 'ir-2024-2690', 'iso27001-2022-annex-a'] as const;
export type Framework = (typeof frameworks)[number];

/** One seeded requirement. */
export interface SeedRequirement {
  readonly id: string;
  readonly framework: Framework;
  readonly ref: string;
  readonly title: string;
  readonly evidence: readonly string[];
}

const r = (id: string, framework: Framework, ref: string, title: string, evidence: readonly string[] = []): SeedRequirement => ({ id, framework, ref, title, evidence });

/** Every seeded requirement, in catalogue order. */
export const catalogueSeed: readonly SeedRequirement[] = [
  r('nis2-21.2.a', 'nis2-art21', 'Art. 21(2)(a)', 'Policies on risk analysis and information system security'),
  r('nis2-21.2.b', 'nis2-art21', 'Art. 21(2)(b)', 'Incident handling'),
  r('nis2-21.2.c', 'nis2-art21', 'Art. 21(2)(c)', 'Business continuity, such as backup management and disaster recovery, and crisis management', ['live:backup-restore-tests']),
  r('nis2-21.2.d', 'nis2-art21', 'Art. 21(2)(d)', 'Supply chain security, including security-related aspects of the relationships with direct suppliers or service providers'),
  r('nis2-21.2.e', 'nis2-art21', 'Art. 21(2)(e)', 'Security in network and information systems acquisition, development and maintenance, including vulnerability handling and disclosure', ['live:firmware-vetting']),
  r('nis2-21.2.f', 'nis2-art21', 'Art. 21(2)(f)', 'Policies and procedures to assess the effectiveness of cybersecurity risk-management measures', ['live:audit-verify', 'live:vault-fsck']),
  r('nis2-21.2.g', 'nis2-art21', 'Art. 21(2)(g)', 'Basic cyber hygiene practices and cybersecurity training'),
  r('nis2-21.2.h', 'nis2-art21', 'Art. 21(2)(h)', 'Policies and procedures regarding the use of cryptography and, where appropriate, encryption', ['live:encryption-coverage', 'live:key-rotation-age', 'live:plaintext-cameras']),
  r('nis2-21.2.i', 'nis2-art21', 'Art. 21(2)(i)', 'Human resources security, access control policies and asset management', ['live:mfa-coverage', 'live:retention-compliance']),
  r('nis2-21.2.j', 'nis2-art21', 'Art. 21(2)(j)', 'Multi-factor or continuous authentication, secured voice, video and text communications and secured emergency communication systems', ['live:mfa-coverage']),
  r('ir2690-1', 'ir-2024-2690', 'Annex 1', 'Policy on the security of network and information systems'),
  r('ir2690-2', 'ir-2024-2690', 'Annex 2', 'Risk management policy'),
  r('ir2690-3', 'ir-2024-2690', 'Annex 3', 'Incident handling'),
  r('ir2690-4', 'ir-2024-2690', 'Annex 4', 'Business continuity and crisis management', ['live:backup-restore-tests']),
  r('ir2690-5', 'ir-2024-2690', 'Annex 5', 'Supply chain security'),
  r('ir2690-6', 'ir-2024-2690', 'Annex 6', 'Security in network and information systems acquisition, development and maintenance'),
  r('ir2690-7', 'ir-2024-2690', 'Annex 7', 'Policies and procedures to assess the effectiveness of cybersecurity risk-management measures'),
  r('ir2690-8', 'ir-2024-2690', 'Annex 8', 'Basic cyber hygiene practices and security training'),
  r('ir2690-9', 'ir-2024-2690', 'Annex 9', 'Cryptography', ['live:encryption-coverage', 'live:key-rotation-age']),
  r('ir2690-10', 'ir-2024-2690', 'Annex 10', 'Human resources security'),
  r('ir2690-11', 'ir-2024-2690', 'Annex 11', 'Access control', ['live:mfa-coverage']),
  r('ir2690-12', 'ir-2024-2690', 'Annex 12', 'Asset management'),
  r('ir2690-13', 'ir-2024-2690', 'Annex 13', 'Environmental and physical security'),
  r('iso27001-A.5.1', 'iso27001-2022-annex-a', 'A.5.1', 'Policies for information security'),
  r('iso27001-A.5.2', 'iso27001-2022-annex-a', 'A.5.2', 'Information security roles and responsibilities'),
  r('iso27001-A.5.3', 'iso27001-2022-annex-a', 'A.5.3', 'Segregation of duties'),
  r('iso27001-A.5.4', 'iso27001-2022-annex-a', 'A.5.4', 'Management responsibilities'),
  r('iso27001-A.5.5', 'iso27001-2022-annex-a', 'A.5.5', 'Contact with authorities'),
  r('iso27001-A.5.6', 'iso27001-2022-annex-a', 'A.5.6', 'Contact with special interest groups'),
  r('iso27001-A.5.7', 'iso27001-2022-annex-a', 'A.5.7', 'Threat intelligence'),
  r('iso27001-A.5.8', 'iso27001-2022-annex-a', 'A.5.8', 'Information security in project management'),
  r('iso27001-A.5.9', 'iso27001-2022-annex-a', 'A.5.9', 'Inventory of information and other associated assets'),
  r('iso27001-A.5.10', 'iso27001-2022-annex-a', 'A.5.10', 'Acceptable use of information and other associated assets'),
  r('iso27001-A.5.11', 'iso27001-2022-annex-a', 'A.5.11', 'Return of assets'),
  r('iso27001-A.5.12', 'iso27001-2022-annex-a', 'A.5.12', 'Classification of information'),
  r('iso27001-A.5.13', 'iso27001-2022-annex-a', 'A.5.13', 'Labelling of information'),
  r('iso27001-A.5.14', 'iso27001-2022-annex-a', 'A.5.14', 'Information transfer'),
  r('iso27001-A.5.15', 'iso27001-2022-annex-a', 'A.5.15', 'Access control'),
  r('iso27001-A.5.16', 'iso27001-2022-annex-a', 'A.5.16', 'Identity management'),
  r('iso27001-A.5.17', 'iso27001-2022-annex-a', 'A.5.17', 'Authentication information'),
  r('iso27001-A.5.18', 'iso27001-2022-annex-a', 'A.5.18', 'Access rights'),
  r('iso27001-A.5.19', 'iso27001-2022-annex-a', 'A.5.19', 'Information security in supplier relationships'),
  r('iso27001-A.5.20', 'iso27001-2022-annex-a', 'A.5.20', 'Addressing information security within supplier agreements'),
  r('iso27001-A.5.21', 'iso27001-2022-annex-a', 'A.5.21', 'Managing information security in the ICT supply chain'),
  r('iso27001-A.5.22', 'iso27001-2022-annex-a', 'A.5.22', 'Monitoring, review and change management of supplier services'),
  r('iso27001-A.5.23', 'iso27001-2022-annex-a', 'A.5.23', 'Information security for use of cloud services'),
  r('iso27001-A.5.24', 'iso27001-2022-annex-a', 'A.5.24', 'Information security incident management planning and preparation'),
  r('iso27001-A.5.25', 'iso27001-2022-annex-a', 'A.5.25', 'Assessment and decision on information security events'),
  r('iso27001-A.5.26', 'iso27001-2022-annex-a', 'A.5.26', 'Response to information security incidents'),
  r('iso27001-A.5.27', 'iso27001-2022-annex-a', 'A.5.27', 'Learning from information security incidents'),
  r('iso27001-A.5.28', 'iso27001-2022-annex-a', 'A.5.28', 'Collection of evidence', ['live:audit-verify']),
  r('iso27001-A.5.29', 'iso27001-2022-annex-a', 'A.5.29', 'Information security during disruption'),
  r('iso27001-A.5.30', 'iso27001-2022-annex-a', 'A.5.30', 'ICT readiness for business continuity'),
  r('iso27001-A.5.31', 'iso27001-2022-annex-a', 'A.5.31', 'Legal, statutory, regulatory and contractual requirements'),
  r('iso27001-A.5.32', 'iso27001-2022-annex-a', 'A.5.32', 'Intellectual property rights'),
  r('iso27001-A.5.33', 'iso27001-2022-annex-a', 'A.5.33', 'Protection of records', ['live:audit-verify', 'live:vault-fsck']),
  r('iso27001-A.5.34', 'iso27001-2022-annex-a', 'A.5.34', 'Privacy and protection of PII'),
  r('iso27001-A.5.35', 'iso27001-2022-annex-a', 'A.5.35', 'Independent review of information security'),
  r('iso27001-A.5.36', 'iso27001-2022-annex-a', 'A.5.36', 'Compliance with policies, rules and standards for information security'),
  r('iso27001-A.5.37', 'iso27001-2022-annex-a', 'A.5.37', 'Documented operating procedures'),
  r('iso27001-A.6.1', 'iso27001-2022-annex-a', 'A.6.1', 'Screening'),
  r('iso27001-A.6.2', 'iso27001-2022-annex-a', 'A.6.2', 'Terms and conditions of employment'),
  r('iso27001-A.6.3', 'iso27001-2022-annex-a', 'A.6.3', 'Information security awareness, education and training'),
  r('iso27001-A.6.4', 'iso27001-2022-annex-a', 'A.6.4', 'Disciplinary process'),
  r('iso27001-A.6.5', 'iso27001-2022-annex-a', 'A.6.5', 'Responsibilities after termination or change of employment'),
  r('iso27001-A.6.6', 'iso27001-2022-annex-a', 'A.6.6', 'Confidentiality or non-disclosure agreements'),
  r('iso27001-A.6.7', 'iso27001-2022-annex-a', 'A.6.7', 'Remote working'),
  r('iso27001-A.6.8', 'iso27001-2022-annex-a', 'A.6.8', 'Information security event reporting'),
  r('iso27001-A.7.1', 'iso27001-2022-annex-a', 'A.7.1', 'Physical security perimeters'),
  r('iso27001-A.7.2', 'iso27001-2022-annex-a', 'A.7.2', 'Physical entry'),
  r('iso27001-A.7.3', 'iso27001-2022-annex-a', 'A.7.3', 'Securing offices, rooms and facilities'),
  r('iso27001-A.7.4', 'iso27001-2022-annex-a', 'A.7.4', 'Physical security monitoring'),
  r('iso27001-A.7.5', 'iso27001-2022-annex-a', 'A.7.5', 'Protecting against physical and environmental threats'),
  r('iso27001-A.7.6', 'iso27001-2022-annex-a', 'A.7.6', 'Working in secure areas'),
  r('iso27001-A.7.7', 'iso27001-2022-annex-a', 'A.7.7', 'Clear desk and clear screen'),
  r('iso27001-A.7.8', 'iso27001-2022-annex-a', 'A.7.8', 'Equipment siting and protection'),
  r('iso27001-A.7.9', 'iso27001-2022-annex-a', 'A.7.9', 'Security of assets off-premises'),
  r('iso27001-A.7.10', 'iso27001-2022-annex-a', 'A.7.10', 'Storage media'),
  r('iso27001-A.7.11', 'iso27001-2022-annex-a', 'A.7.11', 'Supporting utilities'),
  r('iso27001-A.7.12', 'iso27001-2022-annex-a', 'A.7.12', 'Cabling security'),
  r('iso27001-A.7.13', 'iso27001-2022-annex-a', 'A.7.13', 'Equipment maintenance'),
  r('iso27001-A.7.14', 'iso27001-2022-annex-a', 'A.7.14', 'Secure disposal or re-use of equipment'),
  r('iso27001-A.8.1', 'iso27001-2022-annex-a', 'A.8.1', 'User endpoint devices'),
  r('iso27001-A.8.2', 'iso27001-2022-annex-a', 'A.8.2', 'Privileged access rights', ['live:mfa-coverage']),
  r('iso27001-A.8.3', 'iso27001-2022-annex-a', 'A.8.3', 'Information access restriction'),
  r('iso27001-A.8.4', 'iso27001-2022-annex-a', 'A.8.4', 'Access to source code'),
  r('iso27001-A.8.5', 'iso27001-2022-annex-a', 'A.8.5', 'Secure authentication', ['live:mfa-coverage']),
  r('iso27001-A.8.6', 'iso27001-2022-annex-a', 'A.8.6', 'Capacity management'),
  r('iso27001-A.8.7', 'iso27001-2022-annex-a', 'A.8.7', 'Protection against malware'),
  r('iso27001-A.8.8', 'iso27001-2022-annex-a', 'A.8.8', 'Management of technical vulnerabilities', ['live:firmware-vetting']),
  r('iso27001-A.8.9', 'iso27001-2022-annex-a', 'A.8.9', 'Configuration management'),
  r('iso27001-A.8.10', 'iso27001-2022-annex-a', 'A.8.10', 'Information deletion', ['live:retention-compliance']),
  r('iso27001-A.8.11', 'iso27001-2022-annex-a', 'A.8.11', 'Data masking'),
  r('iso27001-A.8.12', 'iso27001-2022-annex-a', 'A.8.12', 'Data leakage prevention'),
  r('iso27001-A.8.13', 'iso27001-2022-annex-a', 'A.8.13', 'Information backup', ['live:backup-restore-tests']),
  r('iso27001-A.8.14', 'iso27001-2022-annex-a', 'A.8.14', 'Redundancy of information processing facilities'),
  r('iso27001-A.8.15', 'iso27001-2022-annex-a', 'A.8.15', 'Logging', ['live:audit-verify', 'live:siem-lag']),
  r('iso27001-A.8.16', 'iso27001-2022-annex-a', 'A.8.16', 'Monitoring activities', ['live:siem-lag']),
  r('iso27001-A.8.17', 'iso27001-2022-annex-a', 'A.8.17', 'Clock synchronization', ['live:clock-health']),
  r('iso27001-A.8.18', 'iso27001-2022-annex-a', 'A.8.18', 'Use of privileged utility programs'),
  r('iso27001-A.8.19', 'iso27001-2022-annex-a', 'A.8.19', 'Installation of software on operational systems'),
  r('iso27001-A.8.20', 'iso27001-2022-annex-a', 'A.8.20', 'Networks security', ['live:plaintext-cameras']),
  r('iso27001-A.8.21', 'iso27001-2022-annex-a', 'A.8.21', 'Security of network services'),
  r('iso27001-A.8.22', 'iso27001-2022-annex-a', 'A.8.22', 'Segregation of networks'),
  r('iso27001-A.8.23', 'iso27001-2022-annex-a', 'A.8.23', 'Web filtering'),
  r('iso27001-A.8.24', 'iso27001-2022-annex-a', 'A.8.24', 'Use of cryptography', ['live:encryption-coverage', 'live:key-rotation-age', 'live:plaintext-cameras']),
  r('iso27001-A.8.25', 'iso27001-2022-annex-a', 'A.8.25', 'Secure development life cycle'),
  r('iso27001-A.8.26', 'iso27001-2022-annex-a', 'A.8.26', 'Application security requirements'),
  r('iso27001-A.8.27', 'iso27001-2022-annex-a', 'A.8.27', 'Secure system architecture and engineering principles'),
  r('iso27001-A.8.28', 'iso27001-2022-annex-a', 'A.8.28', 'Secure coding'),
  r('iso27001-A.8.29', 'iso27001-2022-annex-a', 'A.8.29', 'Security testing in development and acceptance'),
  r('iso27001-A.8.30', 'iso27001-2022-annex-a', 'A.8.30', 'Outsourced development'),
  r('iso27001-A.8.31', 'iso27001-2022-annex-a', 'A.8.31', 'Separation of development, test and production environments'),
  r('iso27001-A.8.32', 'iso27001-2022-annex-a', 'A.8.32', 'Change management'),
  r('iso27001-A.8.33', 'iso27001-2022-annex-a', 'A.8.33', 'Test information'),
  r('iso27001-A.8.34', 'iso27001-2022-annex-a', 'A.8.34', 'Protection of information systems during audit testing'),
];
