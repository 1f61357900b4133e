import { lintTemplate, reportTemplate } from '../src/services/reports.ts';
for (const y of [2021, 2022, 2025]) console.log(y, lintTemplate(reportTemplate(y, '623023'), y));
